import { Badge } from '@/components/ui/alert';
import { formatBytes, formatNumber, formatTimestamp } from '@/lib/format';
import type { DecisionDto, RequestDto } from '@/lib/retention/request-dto';

const STEP_UP = { password: 'password re-entered', oidc: 'fresh sign-in at the identity provider' } as const;

/** The manifest's totals and hash, which every reader of the request sees. */
export function ManifestTotals({ request }: { request: RequestDto }) {
  const t = request.totals;
  return (
    <dl className="grid gap-2 text-sm sm:grid-cols-[14rem_1fr]">
      <dt className="font-medium text-slate-700">Studies</dt>
      <dd>{formatNumber(t.studies)}</dd>
      <dt className="font-medium text-slate-700">Object versions</dt>
      <dd>
        {formatNumber(t.objectVersions)} ({formatBytes(t.bytes)})
      </dd>
      <dt className="font-medium text-slate-700">Image sets</dt>
      <dd>{formatNumber(t.imageSets)}</dd>
      <dt className="font-medium text-slate-700">Manifest SHA-256</dt>
      <dd>
        <code className="break-all text-xs" data-testid="manifest-sha256">
          {request.manifestSha256}
        </code>
      </dd>
      {request.manifest ? (
        <>
          <dt className="font-medium text-slate-700">Frozen</dt>
          <dd>{formatTimestamp(request.manifest.frozenAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** Each decision: who, when, how they re-authenticated, the manifest it is bound to, whether it still counts. */
export function DecisionsTable({ decisions }: { decisions: readonly DecisionDto[] }) {
  if (!decisions.length) return <p className="text-sm text-slate-600">No decision yet.</p>;
  return (
    <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Decisions on this request</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Decision</th>
            <th scope="col" className="px-3 py-2 font-medium">By</th>
            <th scope="col" className="px-3 py-2 font-medium">At (UTC)</th>
            <th scope="col" className="px-3 py-2 font-medium">Re-authenticated</th>
            <th scope="col" className="px-3 py-2 font-medium">Manifest SHA-256</th>
            <th scope="col" className="px-3 py-2 font-medium">Expires</th>
            <th scope="col" className="px-3 py-2 font-medium">Comment</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {decisions.map((d) => (
            <tr key={`${d.by}-${d.decidedAt}`}>
              <td className="whitespace-nowrap px-3 py-2">
                <Badge tone={d.decision === 'approve' ? (d.counts ? 'success' : 'warning') : 'error'}>{d.decision === 'approve' ? (d.counts ? 'approved' : 'approval lapsed') : 'rejected'}</Badge>
              </td>
              <td className="px-3 py-2">{d.by}</td>
              <td className="whitespace-nowrap px-3 py-2">{formatTimestamp(d.decidedAt)}</td>
              <td className="px-3 py-2">{d.stepUp ? `${STEP_UP[d.stepUp]}, ${formatTimestamp(d.stepUpAt)}` : 'not needed'}</td>
              <td className="px-3 py-2 font-mono text-xs" title={d.manifestSha256}>
                {d.manifestSha256.slice(0, 16)}…
              </td>
              <td className="whitespace-nowrap px-3 py-2">{d.expiresAt ? formatTimestamp(d.expiresAt) : '—'}</td>
              <td className="px-3 py-2">{d.comment ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Progress item by item, the verification, objects that appeared since the manifest was frozen, and results purged. */
export function ExecutionSummary({ request }: { request: RequestDto }) {
  const items = request.items;
  const e = request.execution;
  const total = items ? Object.values(items).reduce((n, v) => n + v, 0) : 0;
  return (
    <div className="flex flex-col gap-4">
      <dl className="grid gap-2 text-sm sm:grid-cols-[14rem_1fr]">
        <dt className="font-medium text-slate-700">Started</dt>
        <dd>{formatTimestamp(request.executionStartedAt)}</dd>
        <dt className="font-medium text-slate-700">Finished</dt>
        <dd>{formatTimestamp(request.finishedAt)}</dd>
        {items ? (
          <>
            <dt className="font-medium text-slate-700">Items</dt>
            <dd data-testid="execution-items">
              {formatNumber(items.deleted + items.gone)} of {formatNumber(total)} done ({formatNumber(items.deleted)} deleted, {formatNumber(items.gone)} already gone), {formatNumber(items.pending + items.deleting)} left,{' '}
              {formatNumber(items.failed)} failed
            </dd>
          </>
        ) : null}
        {e ? (
          <>
            <dt className="font-medium text-slate-700">Verification</dt>
            <dd>{e.verified === null ? 'not yet' : e.verified ? `nothing of the manifest remains (verified ${formatTimestamp(e.verifiedAt)})` : 'something of the manifest remains'}</dd>
            <dt className="font-medium text-slate-700">Stored results purged</dt>
            <dd>{formatNumber(e.resultsPurged)}</dd>
          </>
        ) : null}
      </dl>
      {items && total > 0 ? (
        <progress className="h-2 w-full max-w-xl" max={total} value={items.deleted + items.gone} aria-label="Deletion progress" />
      ) : null}
      {e && e.appeared.length ? (
        <div>
          <h3 className="text-sm font-semibold text-slate-900">Reported, not deleted</h3>
          <p className="text-xs text-slate-600">Object versions that appeared under the studies after the manifest was frozen: not in the manifest, so not deleted.</p>
          <ul className="mt-2 space-y-1 text-xs">
            {e.appeared.map((a) => (
              <li key={`${a.key}@${a.versionId}`} className="font-mono">
                {a.key} @ {a.versionId} ({a.deleteMarker ? 'delete marker' : formatBytes(a.size)}), study {a.studyInstanceUid}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

type HistoryEntry = RequestDto['history'][number];

/** Consecutive reviews of the manifest by one person are one line: a page that follows an execution re-reads it often. */
export function collapseReviews(history: readonly HistoryEntry[]): (HistoryEntry & { times: number; lastAt: string })[] {
  const out: (HistoryEntry & { times: number; lastAt: string })[] = [];
  for (const h of history) {
    const last = out[out.length - 1];
    if (last && h.action === 'retention_request.view' && last.action === h.action && last.by === h.by) {
      last.times++;
      last.lastAt = h.at;
    } else out.push({ ...h, times: 1, lastAt: h.at });
  }
  return out;
}

export function HistoryList({ history }: { history: RequestDto['history'] }) {
  if (!history.length) return <p className="text-sm text-slate-600">Nothing recorded.</p>;
  return (
    <ol className="flex flex-col gap-1 text-sm">
      {collapseReviews(history).map((h, i) => (
        <li key={`${h.at}-${i}`} className="flex flex-wrap gap-x-3">
          <span className="whitespace-nowrap font-mono text-xs text-slate-500">{formatTimestamp(h.at)}</span>
          <span className="text-slate-700">{h.by}</span>
          <span className="text-slate-900">
            {h.details}
            {h.times > 1 ? ` (${h.times} times, last ${formatTimestamp(h.lastAt)})` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
