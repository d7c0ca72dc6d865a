import Link from 'next/link';
import { formatTimestamp } from '@/lib/format';
import type { LegalHoldDto } from '@/lib/retention/place-legal-hold';
import type { ActionState } from '@/lib/web/action-state';
import { LiftHoldForm } from './lift-hold-form';
import { explainHref } from './retention-terms';

type Lift = (holdId: string, state: ActionState<LegalHoldDto>, form: FormData) => Promise<ActionState<LegalHoldDto>>;

/** Legal holds placed in Custos: active first, each liftable with a reason; lifted ones stay on record. */
export function HoldsTable({ holds, lift }: { holds: readonly LegalHoldDto[]; lift: Lift | null }) {
  if (!holds.length) return <p className="text-sm text-slate-600">No legal hold has been placed in Custos.</p>;
  return (
    <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Legal holds, active first</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Study</th>
            <th scope="col" className="px-3 py-2 font-medium">Reason</th>
            <th scope="col" className="px-3 py-2 font-medium">Placed (UTC)</th>
            <th scope="col" className="px-3 py-2 font-medium">Lifted</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {holds.map((h) => (
            <tr key={h.id}>
              <td className="px-3 py-2 align-top">
                <Link className="font-mono text-xs text-brand-700 underline" href={explainHref(h.studyInstanceUid)}>
                  {h.studyInstanceUid}
                </Link>
              </td>
              <td className="px-3 py-2 align-top">{h.reason}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top">
                {formatTimestamp(h.placedAt)}
                <span className="block text-xs text-slate-500">by {h.placedBy}</span>
              </td>
              <td className="px-3 py-2 align-top">
                {h.liftedAt ? (
                  <span>
                    {formatTimestamp(h.liftedAt)} by {h.liftedBy}: {h.liftReason}
                  </span>
                ) : lift ? (
                  <LiftHoldForm action={lift.bind(null, h.id)} study={h.studyInstanceUid} />
                ) : (
                  <span className="text-slate-500">active</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
