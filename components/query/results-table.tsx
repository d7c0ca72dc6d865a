import Link from 'next/link';
import type { Cell, EngineColumn } from '@/lib/engine/port';

type Props = {
  caption: string;
  columns: EngineColumn[];
  rows: Cell[][];
  total: number;
  offset: number;
  limit: number;
  sort?: string;
  dir: 'asc' | 'desc';
  /** Builds the links for sorting and paging; without it the table is static. */
  baseHref?: string;
};

function href(base: string, params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  return `${base}${base.includes('?') ? '&' : '?'}${search.toString()}`;
}

function render(value: Cell): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(value)) return value.replace('T', ' ').replace(/(\.000)?Z$/, 'Z');
  return String(value);
}

/** Server-rendered, sortable and paginated: sorting and paging are links, so they work without JavaScript. */
export function ResultsTable({ caption, columns, rows, total, offset, limit, sort, dir, baseHref }: Props) {
  const last = Math.min(offset + rows.length, total);
  return (
    <div>
      <div className="relative overflow-x-auto rounded-md border border-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            <tr>
              {columns.map((c) => {
                const active = sort === c.name;
                const nextDir = active && dir === 'asc' ? 'desc' : 'asc';
                return (
                  <th
                    key={c.name}
                    scope="col"
                    aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                    className="whitespace-nowrap px-3 py-2 text-left font-medium text-slate-700"
                  >
                    {baseHref ? (
                      <Link href={href(baseHref, { sort: c.name, dir: nextDir, limit })} className="hover:underline">
                        {c.name}
                        <span className="sr-only">, sort {nextDir === 'asc' ? 'ascending' : 'descending'}</span>
                        {active ? <span aria-hidden> {dir === 'asc' ? '▲' : '▼'}</span> : null}
                      </Link>
                    ) : (
                      c.name
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 bg-white">
            {rows.map((row, i) => (
              <tr key={offset + i} className="hover:bg-slate-50">
                {row.map((value, j) => (
                  <td key={j} className={`whitespace-nowrap px-3 py-1.5 ${typeof value === 'number' ? 'tabular text-right' : ''} ${value === null ? 'text-slate-400' : ''}`}>
                    {render(value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {baseHref ? (
      <nav aria-label="Result pages" className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
        <span className="tabular">
          {total === 0 ? 'No rows' : `Rows ${(offset + 1).toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}
        </span>
        <span className="flex gap-2">
          {offset > 0 ? (
            <Link className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100" href={href(baseHref, { offset: Math.max(0, offset - limit), limit, sort, dir: sort ? dir : undefined })}>
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
