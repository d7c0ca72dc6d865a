import { ShortValue } from '@/components/query/short-value';
import { formatNumber, formatTime, plural, shortArn, shortenMiddle } from '@/lib/format';
import type { PersonSummary } from '@/lib/patients/get-patient-report';

/** Who accessed the patient's images: one row per person, most accesses first. */
export function PeopleSummary({ people }: { people: PersonSummary[] }) {
  if (people.length === 0) return <p className="text-sm text-slate-600">No one accessed the patient&apos;s images in this window.</p>;
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">People who accessed the patient&apos;s images</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className="whitespace-nowrap px-3 py-2 text-left font-medium text-slate-700" title="The person behind a role session, or the principal when there is none.">
              Person
            </th>
            <th scope="col" className="whitespace-nowrap px-3 py-2 text-right font-medium text-slate-700" title="Requests to the patient's images (refused ones included).">
              Accesses
            </th>
            <th scope="col" className="whitespace-nowrap px-3 py-2 text-left font-medium text-slate-700">
              First (UTC)
            </th>
            <th scope="col" className="whitespace-nowrap px-3 py-2 text-left font-medium text-slate-700">
              Last (UTC)
            </th>
            <th scope="col" className="whitespace-nowrap px-3 py-2 text-left font-medium text-slate-700" title="The studies they touched, by accession number (the UID on hover).">
              Studies
            </th>
            <th scope="col" className="whitespace-nowrap px-3 py-2 text-left font-medium text-slate-700" title="The IAM roles and principals they acted as.">
              Acting as
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {people.map((p) => (
            <tr key={p.person}>
              <th scope="row" className="whitespace-nowrap px-3 py-1.5 text-left font-medium text-slate-900">
                {p.person.startsWith('arn:') ? <ShortValue value={p.person} short={shortArn(p.person)} what="principal" /> : p.person}
              </th>
              <td className="tabular whitespace-nowrap px-3 py-1.5 text-right">
                {formatNumber(p.accesses)}
                {p.denied ? <span className="ml-1 text-red-700">({formatNumber(p.denied)} refused)</span> : null}
              </td>
              <td className="whitespace-nowrap px-3 py-1.5">
                <time dateTime={p.first}>{formatTime(p.first)}</time>
              </td>
              <td className="whitespace-nowrap px-3 py-1.5">
                <time dateTime={p.last}>{formatTime(p.last)}</time>
              </td>
              <td className="px-3 py-1.5">
                <span className="sr-only">{plural(p.studies.length, 'study', 'studies')}: </span>
                {p.studies.map((s, i) => (
                  <span key={s.studyInstanceUid} title={s.studyInstanceUid}>
                    {i > 0 ? ', ' : ''}
                    {s.accessionNumber ?? shortenMiddle(s.studyInstanceUid)}
                  </span>
                ))}
              </td>
              <td className="px-3 py-1.5 text-slate-600">
                {p.roles.length ? p.roles.join(', ') : p.principals.map((a) => shortArn(a)).join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
