import 'server-only';
import type { Ctx } from '@/lib/context';
import { listQueriesFor, type QuerySummaryDto } from './list-queries';
import { findQuery } from './registry';

// Which saved queries each portal section offers (pages show those the role may run).
const SECTION_QUERIES = {
  posture: ['storage-tier-distribution', 'decrypt-denied-timeline', 'trail-coverage', 'failed-access'],
  retention: ['retention-due'],
  patients: ['patient-access-history', 'study-access', 'vip-access'],
} as const;

export async function listSectionQueries(ctx: Ctx, section: keyof typeof SECTION_QUERIES): Promise<QuerySummaryDto[]> {
  const ids: readonly string[] = SECTION_QUERIES[section];
  const all = await listQueriesFor(ctx);
  return all.filter((q) => ids.includes(q.id)).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
}

/** The audit index: every query the role may run, a summary listed first, right before the requests it drills into. */
export async function listAuditQueries(ctx: Ctx): Promise<QuerySummaryDto[]> {
  const order = await listQueriesFor(ctx);
  for (const q of [...order]) {
    const target = findQuery(q.id)?.drilldown?.query;
    const at = order.findIndex((o) => o.id === target);
    if (at < 0) continue;
    order.splice(order.indexOf(q), 1);
    order.splice(order.findIndex((o) => o.id === target), 0, q);
  }
  return order;
}
