import 'server-only';
import type { Ctx } from '@/lib/context';
import { listQueriesFor, type QuerySummaryDto } from './list-queries';

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
