import 'server-only';
import { authorize, authorizeQuery } from '@/lib/auth/authorize';
import { canRunQuery } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { notFound } from '@/lib/errors';
import type { ParamDeclaration, SavedQuery } from './definition';
import { resolveDefault } from './params';
import { listQueries, findQuery } from './registry';

export type ParamDto = {
  name: string;
  label: string;
  type: ParamDeclaration['type'];
  help: string | null;
  required: boolean;
  defaultValue: string;
  options: string[] | null;
  min: number | null;
  max: number | null;
};

export type QuerySummaryDto = { id: string; title: string; description: string; roles: string[]; logTables: boolean };

export type QueryFormDto = QuerySummaryDto & {
  params: ParamDto[];
  columns: { name: string; description: string }[];
  limits: string | null;
  sqlSha256: string;
  range: { from: string; to: string; maxDays: number } | null;
};

function summary(q: SavedQuery): QuerySummaryDto {
  return { id: q.id, title: q.title, description: q.description, roles: q.roles, logTables: Boolean(q.range) };
}

export async function listQueriesFor(ctx: Ctx): Promise<QuerySummaryDto[]> {
  await authorize(ctx, 'query.use');
  return listQueries().filter((q) => canRunQuery(ctx.actor, q.roles)).map(summary);
}

export async function getQueryForm(ctx: Ctx, queryId: string): Promise<QueryFormDto> {
  await authorize(ctx, 'query.use');
  const query = findQuery(queryId);
  if (!query) throw notFound('The saved query');
  await authorizeQuery(ctx, query.id, query.roles);
  const defaults = await ctx.services.paramDefaults();
  return {
    ...summary(query),
    params: query.params.map((p) => {
      const d = resolveDefault(p, defaults);
      return {
        name: p.name,
        label: p.label,
        type: p.type,
        help: p.help ?? null,
        required: p.required,
        defaultValue: d === undefined ? '' : String(d),
        options: p.type === 'enum' ? p.options : null,
        min: p.type === 'integer' ? (p.min ?? null) : p.type === 'hour' ? 0 : null,
        max: p.type === 'integer' ? (p.max ?? null) : p.type === 'hour' ? 24 : null,
      };
    }),
    columns: query.columns,
    limits: query.limits ?? null,
    sqlSha256: query.sqlSha256,
    range: query.range ? { ...query.range, maxDays: Math.min(query.range.maxDays ?? Infinity, ctx.services.env.CUSTOS_QUERY_MAX_DAYS) } : null,
  };
}
