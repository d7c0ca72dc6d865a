/** A run id that exists nowhere: the query string is refused before any page looks it up. */
export const SOME_RUN = '3f1c2a9e-8d4b-4c1e-9a7f-0b5d6e7f8a90';
const RUN = SOME_RUN;

// Bad values in the address bar, each on every page that reads a query string.
export const BAD_QUERY_STRINGS: Record<string, string[]> = {
  '/audit/runs': ['offset=-1', 'offset=1.5', 'offset=abc', 'limit=0', 'limit=100000', 'status=exploded', 'from=2026-02-30', 'to=yesterday', 'offset=1&offset=2'],
  [`/audit/runs/${RUN}`]: ['offset=-5', 'limit=abc', 'limit=501', 'dir=sideways', `sort=${'x'.repeat(201)}`],
  '/audit/runs/compare': ['before=1&after=2', `before=${RUN}&after=not-a-run`, "before=' OR 1=1 --"],
  '/audit/failed-access': [`from=${'9'.repeat(300)}`],
  '/patients/report': ['accesses=abc&studies=def', `accesses=${RUN}&studies=${RUN}&offset=-1`, `accesses=${RUN}&studies=${RUN}&dir=up`, 'view=%3Cscript%3E'],
  '/patients': ['ref=not%20a%20link', `ref=${'A'.repeat(5000)}`],
  '/admin': ['offset=-1', 'offset=1.5', 'limit=9999', 'action=journal.delete'],
  '/posture': ['days=12', 'from=20261101', 'to=last-week', 'days=30&days=90'],
  [`/posture/runs/${RUN}`]: ['offset=-1', 'limit=abc', 'dir=sideways'],
};
