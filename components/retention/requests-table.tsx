import Link from 'next/link';
import { formatBytes, formatNumber, formatTimestamp } from '@/lib/format';
import type { RequestSummaryDto } from '@/lib/retention/request-dto';
import { RequestStateBadge } from './request-state';

/** Deletion requests, newest first: state, requester, reason, cohort size and approvals. */
export function RequestsTable({ caption, requests, empty }: { caption: string; requests: readonly RequestSummaryDto[]; empty: string }) {
  if (!requests.length) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Request</th>
            <th scope="col" className="px-3 py-2 font-medium">State</th>
            <th scope="col" className="px-3 py-2 font-medium">Filed (UTC)</th>
            <th scope="col" className="px-3 py-2 font-medium">By</th>
            <th scope="col" className="px-3 py-2 font-medium">Reason</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Studies</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Object versions</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Size</th>
            <th scope="col" className="px-3 py-2 font-medium">Approvals</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {requests.map((r) => (
            <tr key={r.id} className={r.awaitingMe ? 'bg-amber-50' : undefined}>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
                <Link className="text-brand-700 underline" href={`/retention/requests/${r.id}`} aria-label={`Open request ${r.id}`}>
                  {r.id.slice(0, 8)}
                </Link>
              </td>
              <td className="px-3 py-2">
                <RequestStateBadge state={r.state} label={r.stateLabel} />
                {r.awaitingMe ? <span className="ml-2 text-xs font-medium text-amber-800">your approval is asked</span> : null}
              </td>
              <td className="whitespace-nowrap px-3 py-2">{formatTimestamp(r.requestedAt)}</td>
              <td className="px-3 py-2">
                {r.requestedBy}
                {r.mine ? <span className="ml-1 text-xs text-slate-500">(you)</span> : null}
              </td>
              <td className="max-w-md px-3 py-2">{r.reason}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatNumber(r.totals.studies)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatNumber(r.totals.objectVersions)}</td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{formatBytes(r.totals.bytes)}</td>
              <td className="whitespace-nowrap px-3 py-2">
                {r.approvals} of {r.approvalsNeeded}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
