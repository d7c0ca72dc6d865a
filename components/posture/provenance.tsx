import Link from 'next/link';
import type { ReactNode } from 'react';
import { CoverageNotice } from '@/components/query/coverage-notice';
import { formatTimestamp } from '@/lib/format';
import type { CoverageSource } from '@/lib/engine/port';
import type { FigureRef, SnapshotRef } from '@/lib/posture/dashboard-types';
import { coverageState } from './dashboard-view';

/** "From run 1a2b3c4d of Storage posture …, 2026-10-31 09:12 UTC": each figure cites the run behind it. */
export function FigureSource({ figure }: { figure: FigureRef | undefined }) {
  if (!figure?.runId) return <span>No run recorded for this figure.</span>;
  return (
    <span>
      From the run{' '}
      <Link href={`/posture/runs/${figure.runId}`} className="font-mono text-brand-700 underline">
        {figure.runId.slice(0, 8)}
      </Link>{' '}
      of <em>{figure.queryTitle}</em>
      {figure.finishedAt ? `, ${formatTimestamp(figure.finishedAt)}` : ''}
      {figure.parameters.from && figure.parameters.to ? ` (${figure.parameters.from} to ${figure.parameters.to})` : figure.parameters.as_of ? ` (as of ${figure.parameters.as_of})` : ''}
    </span>
  );
}

export function SnapshotSource({ snapshot, what }: { snapshot: SnapshotRef | null; what: string }) {
  if (!snapshot) return <span>No {what} was recorded in this refresh.</span>;
  return (
    <details>
      <summary className="cursor-pointer">
        {snapshot.source === 'aws' ? 'Read from AWS' : 'Read from the answers recorded in the lake'} at {formatTimestamp(snapshot.takenAt)}; SHA-256{' '}
        <span className="font-mono">{snapshot.sha256.slice(0, 16)}…</span>
      </summary>
      <ul className="mt-1 list-disc pl-5">
        {snapshot.calls.map((c, i) => (
          <li key={i} className="break-all">
            {c.service}:{c.operation}
            {c.region ? ` in ${c.region}` : ''} {JSON.stringify(c.request)}
            {c.recordedIn ? ` — recorded in ${c.recordedIn}` : ''}
            {c.error ? <span className="text-red-700"> — failed: {c.error}</span> : null}
          </li>
        ))}
      </ul>
      <p className="mt-1 break-all font-mono">snapshot {snapshot.id}, SHA-256 {snapshot.sha256}</p>
    </details>
  );
}

/** Why a figure is missing: the viewer's role, a failed run, or no refresh yet. */
export function FigureGate({ figure, children }: { figure: FigureRef | undefined; children: ReactNode }) {
  if (!figure) return <p className="text-sm text-slate-600">Not recorded yet: refresh the dashboards.</p>;
  if (!figure.visible) {
    return (
      <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
        Your role may not read the rows of <em>{figure.queryTitle}</em>, so this figure is not shown.
      </p>
    );
  }
  if (figure.problem) {
    return (
      <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
        {figure.queryTitle}: {figure.problem}
      </p>
    );
  }
  return <>{children}</>;
}

/** The empty-answer rule: what the logs cover of the window, stated with the panel's figures. */
export function PanelCoverage({ figure }: { figure: FigureRef | undefined }) {
  if (!figure?.coverage) return null;
  return (
    <div className="mt-3">
      <CoverageNotice coverage={figure.coverage} />
    </div>
  );
}

/**
 * A panel's figures with what the logs cover of their window. When no log the figure reads was
 * delivered in the window, the figures are withheld: every count would read zero, and zero would
 * pass for good news.
 */
export function LogsGate({ figure, sources, children }: { figure: FigureRef | undefined; sources?: readonly CoverageSource[]; children: ReactNode }) {
  if (coverageState(figure?.coverage, sources) === 'none') {
    return (
      <div>
        <CoverageNotice coverage={figure!.coverage} />
        <p className="text-sm text-slate-700">
          No figures are shown for this window: without logs every count would read zero, which proves nothing. Choose a window the lake covers.
        </p>
      </div>
    );
  }
  return (
    <>
      {children}
      <PanelCoverage figure={figure} />
    </>
  );
}

export function Stat({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="tabular text-lg font-semibold text-slate-900">{value}</dd>
      {detail ? <dd className="text-xs text-slate-600">{detail}</dd> : null}
    </div>
  );
}
