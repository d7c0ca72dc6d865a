'use client';

import { useId, useState, type ReactNode } from 'react';
import { formatBytes, formatNumber, formatUsd } from '@/lib/format';

export type ColumnKind = 'text' | 'number' | 'bytes' | 'usd' | 'percent';
export type FigureColumn = { key: string; label: string; kind?: ColumnKind };
export type FigureTable = { columns: FigureColumn[]; rows: Record<string, string | number | null>[] };

export function formatValue(value: string | number | null | undefined, kind: ColumnKind = 'text'): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string' && kind === 'text') return value;
  const n = Number(value);
  switch (kind) {
    case 'bytes':
      return formatBytes(n);
    case 'usd':
      return formatUsd(n);
    case 'percent':
      return `${(n * 100).toFixed(1)}%`;
    case 'number':
      return formatNumber(n);
    default:
      return String(value);
  }
}

function csvText(table: FigureTable): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) || /^[=+\-@\t\r]/.test(s) ? `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replaceAll('"', '""')}"` : s;
  };
  const lines = [table.columns.map((c) => cell(c.key)).join(',')];
  for (const r of table.rows) lines.push(table.columns.map((c) => cell(r[c.key])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A figure with its chart and the same numbers as a table, and a CSV of them: for people who
 * would rather read numbers, screen readers, and whoever pastes them into a report. The CSV holds
 * the raw values (bytes, dollars, counts) under the column names the table shows.
 */
export function FigureFrame({
  title,
  description,
  table,
  csvName,
  source,
  children,
  initial = 'chart',
}: {
  title: string;
  description?: ReactNode;
  table: FigureTable;
  csvName: string;
  /** The recorded run or snapshot behind the figure. */
  source?: ReactNode;
  children?: ReactNode;
  initial?: 'chart' | 'table';
}) {
  const [view, setView] = useState<'chart' | 'table'>(children ? initial : 'table');
  const id = useId();
  const download = () => {
    const blob = new Blob([csvText(table)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = csvName.endsWith('.csv') ? csvName : `${csvName}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    URL.revokeObjectURL(url);
  };
  const tab = (v: 'chart' | 'table', label: string) => (
    <button
      type="button"
      aria-pressed={view === v}
      onClick={() => setView(v)}
      className={`rounded px-2 py-1 text-xs font-medium ${view === v ? 'bg-slate-800 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
    >
      {label}
    </button>
  );
  return (
    <figure aria-labelledby={`${id}-title`} className="flex min-w-0 flex-col rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
            {title}
          </h3>
          {description ? <div className="mt-0.5 text-xs text-slate-600">{description}</div> : null}
        </div>
        <div className="flex items-center gap-1" role="group" aria-label={`${title}: view`}>
          {children ? tab('chart', 'Chart') : null}
          {tab('table', 'Table')}
          <button type="button" onClick={download} className="rounded px-2 py-1 text-xs font-medium text-brand-700 underline hover:bg-slate-100">
            CSV
          </button>
        </div>
      </div>
      <div className="mt-3 min-w-0">
        {view === 'chart' && children ? (
          children
        ) : (
          <div className="max-h-96 overflow-auto rounded border border-slate-200">
            <table className="min-w-full divide-y divide-slate-200 text-xs">
              <caption className="sr-only">{title}</caption>
              <thead className="sticky top-0 bg-slate-50">
                <tr>
                  {table.columns.map((c) => (
                    <th key={c.key} scope="col" className={`px-2 py-1.5 font-semibold text-slate-700 ${c.kind && c.kind !== 'text' ? 'text-right' : 'text-left'}`}>
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {table.rows.length === 0 ? (
                  <tr>
                    <td colSpan={table.columns.length} className="px-2 py-2 text-slate-500">
                      No rows.
                    </td>
                  </tr>
                ) : (
                  table.rows.map((r, i) => (
                    <tr key={i}>
                      {table.columns.map((c) => (
                        <td key={c.key} className={`whitespace-nowrap px-2 py-1 ${c.kind && c.kind !== 'text' ? 'tabular text-right' : 'break-all'}`}>
                          {formatValue(r[c.key], c.kind)}
                        </td>
                      ))}
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {source ? <figcaption className="mt-2 text-xs text-slate-500">{source}</figcaption> : null}
    </figure>
  );
}
