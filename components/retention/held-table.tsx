import Link from 'next/link';
import type { HeldDto } from '@/lib/retention/list-retention-candidates';
import { explainHref } from './retention-terms';

/** Studies past retention that something still holds, each with why. */
export function HeldTable({ held }: { held: readonly HeldDto[] }) {
  if (!held.length) return <p className="text-sm text-slate-600">No study past retention is held.</p>;
  return (
    <div className="relative max-h-96 overflow-auto rounded-md border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Studies past retention but held</caption>
        <thead className="sticky top-0 bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Study</th>
            <th scope="col" className="px-3 py-2 font-medium">Modality</th>
            <th scope="col" className="px-3 py-2 font-medium">Study date</th>
            <th scope="col" className="px-3 py-2 font-medium">Deletable from</th>
            <th scope="col" className="px-3 py-2 font-medium">Held because</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {held.map((h) => (
            <tr key={h.studyInstanceUid}>
              <td className="px-3 py-2 align-top">
                <Link className="font-mono text-xs text-brand-700 underline" href={explainHref(h.studyInstanceUid)}>
                  {h.studyInstanceUid}
                </Link>
              </td>
              <td className="px-3 py-2 align-top">{h.modality}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top">{h.studyDate}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top">{h.retainUntil ?? 'cannot be computed'}</td>
              <td className="px-3 py-2 align-top">{h.reasons.join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
