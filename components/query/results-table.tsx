import Link from 'next/link';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { formatNumber, plural } from '@/lib/format';
import { describeColumns, type ResultColumn } from '@/lib/queries/columns';
import type { ResultRowLinks } from '@/lib/queries/describe-results';
import { CellValue, isNumericKind } from './result-cell';

type Props = {
  caption: string;
  /** Described columns in reading order (describeResults), or the engine's (shown with humanised names). */
  columns: readonly ResultColumn[] | readonly EngineColumn[];
  rows: Cell[][];
  total: number;
  offset: number;
  limit: number;
  sort?: string;
  dir: 'asc' | 'desc';
  /** Builds the links for sorting and paging; without it the table is static. */
  baseHref?: string;
  /** Per row (same order as `rows`): links to the patient a cell names, and the row's drill-down. */
  links?: ResultRowLinks[];
  drilldownLabel?: string | null;
};

function href(base: string, params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  return `${base}${base.includes('?') ? '&' : '?'}${search.toString()}`;
}

function described(columns: Props['columns']): readonly ResultColumn[] {
  return columns.length > 0 && 'index' in columns[0]! ? (columns as readonly ResultColumn[]) : describeColumns(undefined, columns);
}

const isEmpty = (v: Cell | undefined) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

export function pageSummary(total: number, offset: number, shown: number): string {
  if (total === 0) return 'No rows';
  if (offset >= total) return `No rows on this page; the result has ${plural(total, 'row')}`;
  if (total === 1) return '1 row';
  return `Rows ${formatNumber(offset + 1)}–${formatNumber(Math.min(offset + shown, total))} of ${formatNumber(total)}`;
}

/**
 * Server-rendered, sortable and paginated: sorting and paging are links, so they work without
 * JavaScript. The columns that answer the question come first; the others follow, scrolled.
 */
export function ResultsTable({ caption, columns: given, rows, total, offset, limit, sort, dir, baseHref, links, drilldownLabel }: Props) {
  const columns = described(given);
  const byIndex = new Map(columns.map((c) => [c.index, c]));
  const firstSecondary = columns.some((c) => c.primary) ? columns.findIndex((c) => !c.primary) : -1;
  const last = Math.min(offset + rows.length, total);
  const drill = drilldownLabel && links?.some((l) => l.drilldown);
  return (
    <div>
      <div className="relative overflow-x-auto rounded-md border border-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            <tr>
              {columns.map((c, j) => {
                const active = sort === c.name;
                const nextDir = active && dir === 'asc' ? 'desc' : 'asc';
                const tone = c.primary || firstSecondary < 0 ? 'font-medium text-slate-700' : 'font-normal text-slate-500';
                return (
                  <th
                    key={c.name}
                    scope="col"
                    title={c.description ?? undefined}
                    aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                    className={`whitespace-nowrap px-3 py-2 ${isNumericKind(c.kind) ? 'text-right' : 'text-left'} ${tone} ${j === firstSecondary ? 'border-l border-slate-200' : ''}`}
                  >
                    {baseHref ? (
                      <Link href={href(baseHref, { sort: c.name, dir: nextDir, limit })} className="hover:underline">
                        {c.label}
                        <span className="sr-only">, sort {nextDir === 'asc' ? 'ascending' : 'descending'}</span>
                        {active ? <span aria-hidden> {dir === 'asc' ? '▲' : '▼'}</span> : null}
                      </Link>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
              {drill ? (
                <th scope="col" className="px-3 py-2">
                  <span className="sr-only">{drilldownLabel}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 bg-white">
            {rows.map((row, i) => {
              const rowLinks = links?.[i];
              return (
                <tr key={offset + i} className="hover:bg-slate-50">
                  {columns.map((c, j) => {
                    const value = row[c.index] ?? null;
                    const fallback = isEmpty(value) && c.fallback !== null ? byIndex.get(c.fallback) : undefined;
                    return (
                      <td
                        key={c.name}
                        className={`whitespace-nowrap px-3 py-1.5 ${isNumericKind(c.kind) ? 'tabular text-right' : ''} ${j === firstSecondary ? 'border-l border-slate-200' : ''}`}
                      >
                        {fallback ? (
                          <span className="text-slate-600">
                            <CellValue column={fallback} value={row[fallback.index] ?? null} />
                          </span>
                        ) : (
                          <CellValue column={c} value={value} patientHref={rowLinks?.patients[c.index]} />
                        )}
                      </td>
                    );
                  })}
                  {drill ? (
                    <td className="whitespace-nowrap px-3 py-1.5">
                      {rowLinks?.drilldown ? (
                        <Link href={rowLinks.drilldown} className="text-brand-700 underline">
                          {drilldownLabel}
                        </Link>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {baseHref ? (
        <nav aria-label="Result pages" className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
          <span className="tabular">{pageSummary(total, offset, rows.length)}</span>
          <span className="flex gap-2">
            {offset > 0 ? (
              <Link className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100" href={href(baseHref, { offset: Math.max(0, Math.min(offset, total) - limit), limit, sort, dir: sort ? dir : undefined })}>
                Previous page
              </Link>
            ) : null}
            {last < total ? (
              <Link className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100" href={href(baseHref, { offset: offset + limit, limit, sort, dir: sort ? dir : undefined })}>
                Next page
              </Link>
            ) : null}
          </span>
        </nav>
      ) : null}
    </div>
  );
}
