import Link from 'next/link';
import type { ComponentProps } from 'react';
import { Badge } from '@/components/ui/alert';
import { formatNumber, formatTimestamp } from '@/lib/format';
import type { FigureRef, PostureDashboard, SnapshotRef } from '@/lib/posture/dashboard-types';
import { FIGURE_KEYS, FIGURES } from '@/lib/posture/figures';
import { coverageState, PANELS, type CoverageState } from './dashboard-view';
import { RunExport } from './run-export';

const STATUS_TONE = { running: 'info', succeeded: 'success', failed: 'error', cancelled: 'warning', missing: 'neutral' } as const;
const COVERAGE_TEXT: Record<CoverageState, string> = { none: 'no logs', partial: 'gaps', complete: 'complete', unknown: '—' };
const PANEL_TITLES = { storage: 'Storage tiers', decrypt: 'KMS Decrypt denied', access: 'Access overview', trails: 'Trail health' } as const;

type ExportRun = ComponentProps<typeof RunExport>['exportRun'];

/** Every recorded run and snapshot behind the figures of this refresh: the provenance, in one table. */
export function RunLedger({ d, exportRun }: { d: PostureDashboard; exportRun: ExportRun }) {
  const figures = FIGURE_KEYS.map((key) => d.figures[key]).filter((f): f is FigureRef => f !== undefined);
  const snapshots = [d.snapshots.trails, d.snapshots.lifecycle].filter((s): s is SnapshotRef => s !== null);
  return (
    <div className="flex flex-col gap-3">
      <div className="overflow-x-auto rounded border border-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-xs">
          <caption className="sr-only">Recorded runs behind the figures</caption>
          <thead className="bg-slate-50 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-2 py-1.5 font-semibold">Panel</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Saved query</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Status</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Run</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Parameters</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Finished</th>
              <th scope="col" className="px-2 py-1.5 text-right font-semibold">Rows</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Result SHA-256</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Logs</th>
              <th scope="col" className="px-2 py-1.5 font-semibold">Rows as a file</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 align-top">
            {figures.map((f) => {
              const panel = FIGURES[f.key].panel;
              return (
                <tr key={f.key}>
                  <td className="whitespace-nowrap px-2 py-1">{PANEL_TITLES[panel]}</td>
                  <td className="px-2 py-1">
                    {f.queryTitle} <span className="font-mono text-slate-500">{f.queryId}</span>
                  </td>
                  <td className="px-2 py-1">
                    <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>
                    {f.problem ? <span className="block text-amber-900">{f.problem}</span> : null}
                  </td>
                  <td className="px-2 py-1">
                    {f.runId ? (
                      <Link href={`/posture/runs/${f.runId}`} className="font-mono text-brand-700 underline">
                        {f.runId.slice(0, 8)}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="px-2 py-1 font-mono">
                    {Object.entries(f.parameters)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' ') || '—'}
                  </td>
                  <td className="whitespace-nowrap px-2 py-1">{formatTimestamp(f.finishedAt)}</td>
                  <td className="tabular px-2 py-1 text-right">{f.rowCount === null ? '—' : formatNumber(f.rowCount)}</td>
                  <td className="px-2 py-1 font-mono" title={f.resultSha256 ?? undefined}>
                    {f.resultSha256 ? `${f.resultSha256.slice(0, 12)}…` : '—'}
                  </td>
                  <td className="px-2 py-1">{COVERAGE_TEXT[coverageState(f.coverage, PANELS[panel].sources)]}</td>
                  <td className="px-2 py-1">
                    {f.runId && f.visible && f.status === 'succeeded' && !f.problem ? <RunExport runId={f.runId} exportRun={exportRun} /> : f.visible ? '—' : 'not for your role'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {snapshots.length ? (
        <ul className="flex flex-col gap-1 text-xs text-slate-600">
          {snapshots.map((s) => (
            <li key={s.id}>
              {s.kind === 'trails' ? 'Trail configuration and status' : 'Lifecycle configuration'}
              {s.subject ? ` of ${s.subject}` : ''}: {s.source === 'aws' ? 'read from AWS' : 'read from the lake'} at {formatTimestamp(s.takenAt)} with{' '}
              {s.calls.map((c) => c.operation).join(', ') || 'no call'}; SHA-256 <span className="font-mono">{s.sha256}</span>
              {s.unavailable ? <span className="text-amber-900"> — {s.unavailable}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
