'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { formatBytes, formatNumber, plural } from '@/lib/format';
import type { CandidateDto } from '@/lib/retention/list-retention-candidates';
import type { ActionState } from '@/lib/web/action-state';
import { useAttempts } from './use-attempts';
import { explainHref, retentionSummary } from './retention-terms';
import { TextArea } from './text-area';

type Props = {
  candidates: readonly CandidateDto[];
  action: (state: ActionState<string>, form: FormData) => Promise<ActionState<string>>;
};

/** Candidates past retention and not held, to pick a cohort from and file a deletion request with a reason. */
export function CandidatesForm({ candidates, action }: Props) {
  const { state, attempt, formAction, pending, errors, typed } = useAttempts(action);
  const pickable = candidates.filter((c) => !c.openRequest);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const all = pickable.length > 0 && pickable.every((c) => picked.has(c.studyInstanceUid));
  const chosen = pickable.filter((c) => picked.has(c.studyInstanceUid));
  const toggle = (uid: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(uid);
      else next.delete(uid);
      return next;
    });

  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label="File a deletion request" noValidate>
      {state && !state.ok ? <Alert tone="error" title="The request was not filed">{state.message}</Alert> : null}
      <div className="relative max-h-[32rem] overflow-auto rounded-md border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Studies past retention and not held</caption>
          <thead className="sticky top-0 bg-slate-50 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                <input
                  type="checkbox"
                  aria-label="Select every candidate"
                  checked={all}
                  disabled={!pickable.length}
                  onChange={(e) => setPicked(e.target.checked ? new Set(pickable.map((c) => c.studyInstanceUid)) : new Set())}
                />
              </th>
              <th scope="col" className="px-3 py-2 font-medium">Study</th>
              <th scope="col" className="px-3 py-2 font-medium">Modality</th>
              <th scope="col" className="px-3 py-2 font-medium">Facility</th>
              <th scope="col" className="px-3 py-2 font-medium">Retention</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Object versions</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Size</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {candidates.map((c) => (
              <tr key={c.studyInstanceUid} data-study={c.studyInstanceUid}>
                <td className="px-3 py-2 align-top">
                  {c.openRequest ? (
                    <span className="text-xs text-slate-500">in a request</span>
                  ) : (
                    <input
                      type="checkbox"
                      name="studies"
                      value={c.studyInstanceUid}
                      aria-label={`Select study ${c.studyInstanceUid}`}
                      checked={picked.has(c.studyInstanceUid)}
                      onChange={(e) => toggle(c.studyInstanceUid, e.target.checked)}
                    />
                  )}
                </td>
                <td className="px-3 py-2 align-top">
                  <span className="block font-mono text-xs">{c.studyInstanceUid}</span>
                  {c.accessionNumber ? <span className="block text-xs text-slate-500">accession {c.accessionNumber}</span> : null}
                </td>
                <td className="px-3 py-2 align-top">{c.modality}</td>
                <td className="px-3 py-2 align-top">{c.facility ?? '—'}</td>
                <td className="px-3 py-2 align-top">
                  <span className="block">{retentionSummary(c)}</span>
                  <Link className="text-xs text-brand-700 underline" href={explainHref(c.studyInstanceUid)}>
                    Explain the arithmetic
                  </Link>
                  {c.openRequest ? (
                    <Link className="ml-3 text-xs text-brand-700 underline" href={`/retention/requests/${c.openRequest}`}>
                      Open request {c.openRequest.slice(0, 8)}
                    </Link>
                  ) : null}
                </td>
                <td className="px-3 py-2 text-right align-top tabular-nums">{formatNumber(c.objectVersions)}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right align-top tabular-nums">{formatBytes(c.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {candidates.length === 0 ? <p className="p-4 text-sm text-slate-600">No study is past retention and free of holds today.</p> : null}
      </div>
      {errors.studies ? (
        <p role="alert" className="text-xs font-medium text-red-700">
          {errors.studies}
        </p>
      ) : null}
      <Field id="request-reason" label="Reason" help="The retention review this request comes from; the approvers and the certificate show it." error={errors.reason}>
        <TextArea
          key={`reason-${attempt}`}
          id="request-reason"
          name="reason"
          className="max-w-3xl"
          defaultValue={typed.reason ?? ''}
          aria-invalid={errors.reason ? true : undefined}
          aria-describedby={describedBy('request-reason', true, errors.reason)}
        />
      </Field>
      <div className="flex flex-wrap items-center gap-4">
        <Button type="submit" disabled={pending || chosen.length === 0}>
          {pending ? 'Freezing the manifest…' : 'File deletion request'}
        </Button>
        <span className="text-sm text-slate-600" aria-live="polite">
          {chosen.length
            ? `${plural(chosen.length, 'study', 'studies')} picked: ${formatNumber(chosen.reduce((n, c) => n + c.objectVersions, 0))} object versions, ${formatBytes(chosen.reduce((n, c) => n + c.bytes, 0))}`
            : 'Pick the studies to delete.'}
        </span>
      </div>
    </form>
  );
}
