// The query strings pages read, as schemas. proxy.ts checks them before a page renders, so a bad
// value in the address bar gets a styled 400 page naming it, never a 500 from inside a verb. Keys a
// page does not read are ignored (Next adds its own, such as _rsc).
import { z } from 'zod';
import { JournalFilter } from '@/lib/admin/journal-filter';
import { PageInput, RunFilter } from '@/lib/queries/run-filters';
import type { PageRoute } from './routes';

/** Request header through which proxy.ts tells the 400 page what was wrong with the address. */
export const BAD_REQUEST_HEADER = 'x-custos-bad-request';

const runId = z.string().uuid('expected a run id from the portal');
// sealed references the portal made (base64url); their contents are checked by the page
const sealed = z.string().max(4000, 'expected a link from the portal').regex(/^[A-Za-z0-9_-]+$/, 'expected a link from the portal');

export const PAGE_SEARCH: Partial<Record<PageRoute, z.ZodType>> = {
  '/audit/runs': RunFilter,
  '/audit/runs/[runId]': PageInput,
  '/audit/runs/compare': z.object({ before: runId.optional(), after: runId.optional() }),
  '/audit/[queryId]': z.record(z.string(), z.string().max(200, 'a value in the address is too long')),
  '/patients': z.object({ ref: sealed.optional() }),
  '/patients/report': PageInput.extend({ accesses: runId.optional(), studies: runId.optional(), view: sealed.optional() }),
  '/admin': JournalFilter,
  '/posture/runs/[runId]': PageInput,
  '/posture': z.object({
    days: z.enum(['7', '30', '90', '365'], { error: 'choose 7, 30, 90 or 365 days' }).optional(),
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'enter a date as YYYY-MM-DD').optional(),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'enter a date as YYYY-MM-DD').optional(),
  }),
};

const LABELS: Record<string, string> = {
  offset: 'the page position (offset)',
  limit: 'the page size (limit)',
  dir: 'the sort direction (dir)',
  sort: 'the sort column (sort)',
  status: 'the status filter (status)',
  from: 'the start date (from)',
  to: 'the end date (to)',
  before: 'the earlier run (before)',
  after: 'the later run (after)',
  accesses: 'the access run (accesses)',
  studies: 'the studies run (studies)',
  action: 'the journal action (action)',
  ref: 'the patient link (ref)',
  view: 'the patient view link (view)',
  queryId: 'the query filter (queryId)',
  user: 'the user filter (user)',
};

function patternOf(route: string): RegExp {
  const source = route.replace(/\[\.\.\.[^\]]+\]/g, '.+').replace(/\[[^\]]+\]/g, '[^/]+');
  return new RegExp(`^${source}/?$`);
}

// Static segments win over dynamic ones (/audit/runs/compare, not /audit/runs/[runId]).
const ROUTES = (Object.keys(PAGE_SEARCH) as PageRoute[])
  .map((route) => ({ route, pattern: patternOf(route), dynamic: (route.match(/\[/g) ?? []).length }))
  .sort((a, b) => a.dynamic - b.dynamic);

/** Which page a path is, among those that read a query string (null: none to check). */
export function searchRouteOf(pathname: string): PageRoute | null {
  return ROUTES.find((r) => r.pattern.test(pathname))?.route ?? null;
}

/** The problem with a page's query string in plain words, or null when the page can use it. */
export function searchProblem(pathname: string, search: URLSearchParams): string | null {
  const route = searchRouteOf(pathname);
  if (!route) return null;
  const values: Record<string, string> = {};
  for (const [key, value] of search) {
    if (key.startsWith('_')) continue;
    if (key in values) return `${LABELS[key] ?? key} is given twice.`;
    values[key] = value;
  }
  const parsed = PAGE_SEARCH[route]!.safeParse(values);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  return `${LABELS[field] ?? (field || 'a value')} cannot be used: ${issue.message}.`;
}
