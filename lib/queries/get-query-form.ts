import 'server-only';
import type { Ctx } from '@/lib/context';
import type { ParamDeclaration } from './definition';
import { toQuerySummaryDto, type QuerySummaryDto } from './list-queries';
import { paramDefaults } from './param-defaults';
import { isPhiParam, resolveDefault } from './params';
import { loadRunnableQuery } from './runnable-query';

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
  /** Identifies a patient: never taken from an address, never sent for an estimate. */
  phi: boolean;
};

export type QueryFormDto = QuerySummaryDto & {
  params: ParamDto[];
  /** Each result column: its header, its name in exports, and what it holds. */
  columns: { name: string; label: string; description: string }[];
  limits: string | null;
  sqlSha256: string;
  range: { from: string; to: string; maxDays: number } | null;
};

/** What the run form shows: typed parameters with their defaults, the columns and the query's limits. */
export async function getQueryForm(ctx: Ctx, queryId: string): Promise<QueryFormDto> {
  const { query } = await loadRunnableQuery(ctx, { queryId });
  const defaults = await paramDefaults(ctx);
  return {
    ...toQuerySummaryDto(query),
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
        phi: isPhiParam(p),
      };
    }),
    columns: query.columns.map((c) => ({ name: c.name, label: c.label, description: c.description })),
    limits: query.limits ?? null,
    sqlSha256: query.sqlSha256,
    range: query.range ? { ...query.range, maxDays: Math.min(query.range.maxDays ?? Infinity, ctx.services.env.CUSTOS_QUERY_MAX_DAYS) } : null,
  };
}
