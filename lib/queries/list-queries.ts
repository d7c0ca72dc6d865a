import 'server-only';
import { authorize } from '@/lib/auth/authorize';
import { can, canRunQuery } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import type { SavedQuery } from './definition';
import { listQueries } from './registry';

export type QuerySummaryDto = { id: string; title: string; description: string; roles: string[]; logTables: boolean };

export function toQuerySummaryDto(q: SavedQuery): QuerySummaryDto {
  return { id: q.id, title: q.title, description: q.description, roles: q.roles, logTables: Boolean(q.range) };
}

/** The saved queries the actor's role may run. */
export async function listQueriesFor(ctx: Ctx): Promise<QuerySummaryDto[]> {
  await authorize(ctx, 'query.use');
  return listQueries().filter((q) => canRunQuery(ctx.actor, q.roles)).map(toQuerySummaryDto);
}

/** The saved queries whose runs the actor can see in the ledger: every one with runs.view_all, else those they may run. */
export async function listLedgerQueries(ctx: Ctx): Promise<QuerySummaryDto[]> {
  await authorize(ctx, 'query.use');
  const everyone = can(ctx.actor, 'runs.view_all');
  return listQueries().filter((q) => everyone || canRunQuery(ctx.actor, q.roles)).map(toQuerySummaryDto);
}
