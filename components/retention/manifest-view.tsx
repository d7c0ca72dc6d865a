import { formatBytes, formatNumber, formatTimestamp } from '@/lib/format';
import type { Manifest } from '@/lib/retention/manifest';
import { ExplanationSteps, RuleOutcomes } from './explanation';

/** The frozen manifest: each study with its retention explanation, object versions and image sets. */
export function ManifestStudies({ manifest }: { manifest: Manifest }) {
  return (
    <div className="flex flex-col gap-3">
      <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Studies in the manifest</caption>
          <thead className="bg-slate-50 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Study</th>
              <th scope="col" className="px-3 py-2 font-medium">Modality</th>
              <th scope="col" className="px-3 py-2 font-medium">Study date</th>
              <th scope="col" className="px-3 py-2 font-medium">Facility</th>
              <th scope="col" className="px-3 py-2 font-medium">Rule</th>
              <th scope="col" className="px-3 py-2 font-medium">Kept through</th>
              <th scope="col" className="px-3 py-2 font-medium">Deletable from</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Object versions</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Size</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Image sets</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {manifest.studies.map((s) => (
              <tr key={s.studyInstanceUid}>
                <td className="px-3 py-2">
                  <a className="font-mono text-xs text-brand-700 underline" href={`#study-${s.studyInstanceUid.replace(/\./g, '-')}`}>
                    {s.studyInstanceUid}
                  </a>
                  {s.accessionNumber ? <span className="block text-xs text-slate-500">accession {s.accessionNumber}</span> : null}
                </td>
                <td className="px-3 py-2">{s.modality}</td>
                <td className="whitespace-nowrap px-3 py-2">{s.studyDate}</td>
                <td className="px-3 py-2">{s.facility ?? '—'}</td>
                <td className="whitespace-nowrap px-3 py-2">
                  <span className="font-mono text-xs">{s.retention.rule ?? '—'}</span>
                  <span className="block text-xs text-slate-500">
                    {s.retention.ruleSetId} v{s.retention.ruleSetVersion}
                  </span>
                </td>
                <td className="whitespace-nowrap px-3 py-2">{s.retention.retainedThrough ?? '—'}</td>
                <td className="whitespace-nowrap px-3 py-2">{s.retention.retainUntil ?? '—'}</td>
                <td className="px-3 py-2 text-right tabular-nums">{formatNumber(s.objects.length)}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{formatBytes(s.objects.reduce((n, o) => n + o.size, 0))}</td>
                <td className="px-3 py-2 text-right tabular-nums">{formatNumber(s.imageSets.length)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {manifest.studies.map((s) => (
        <details key={s.studyInstanceUid} id={`study-${s.studyInstanceUid.replace(/\./g, '-')}`} className="rounded-md border border-slate-200 bg-white p-3">
          <summary className="cursor-pointer text-sm font-medium text-slate-900">
            Study <span className="font-mono text-xs">{s.studyInstanceUid}</span>: retention explanation, {formatNumber(s.objects.length)} object versions, {formatNumber(s.imageSets.length)} image sets
          </summary>
          <div className="mt-3 flex flex-col gap-3">
            <p className="text-sm text-slate-700">
              Rule set {s.retention.ruleSetId} version {s.retention.ruleSetVersion} ({s.retention.jurisdiction}); retention class {s.retention.retentionClass ?? 'unknown'}.
            </p>
            <RuleOutcomes rules={s.retention.rules} caption={`Rules for study ${s.studyInstanceUid}`} />
            <ExplanationSteps steps={s.retention.steps} />
            <ObjectsTable study={s} />
            {s.imageSets.length ? (
              <ul className="text-xs text-slate-700">
                {s.imageSets.map((i) => (
                  <li key={i.imageSetId}>
                    Image set <span className="font-mono">{i.imageSetId}</span> version {i.versionId} in datastore <span className="font-mono">{i.datastoreId}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-xs text-slate-500">No image set.</p>
            )}
          </div>
        </details>
      ))}
    </div>
  );
}

function ObjectsTable({ study }: { study: Manifest['studies'][number] }) {
  if (!study.objects.length) return <p className="text-xs text-slate-500">No object version in the archive.</p>;
  return (
    <div className="relative max-h-80 overflow-auto rounded-md border border-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-xs">
        <caption className="sr-only">Object versions of study {study.studyInstanceUid}</caption>
        <thead className="sticky top-0 bg-slate-50 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-2 py-1 font-medium">Bucket / key</th>
            <th scope="col" className="px-2 py-1 font-medium">Version id</th>
            <th scope="col" className="px-2 py-1 text-right font-medium">Size</th>
            <th scope="col" className="px-2 py-1 font-medium">ETag</th>
            <th scope="col" className="px-2 py-1 font-medium">Storage class</th>
            <th scope="col" className="px-2 py-1 font-medium">Retain until</th>
            <th scope="col" className="px-2 py-1 font-medium">Legal hold</th>
            <th scope="col" className="px-2 py-1 font-medium">Replication</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {study.objects.map((o) => (
            <tr key={`${o.key}@${o.versionId}`}>
              <td className="px-2 py-1 font-mono">
                {o.bucket}/{o.key}
                {o.deleteMarker ? <span className="ml-1 text-slate-500">(delete marker)</span> : null}
              </td>
              <td className="px-2 py-1 font-mono">{o.versionId}</td>
              <td className="whitespace-nowrap px-2 py-1 text-right tabular-nums">{formatBytes(o.size)}</td>
              <td className="px-2 py-1 font-mono">{o.etag}</td>
              <td className="px-2 py-1">{o.storageClass}</td>
              <td className="whitespace-nowrap px-2 py-1">{o.retainUntil ? formatTimestamp(o.retainUntil) : '—'}</td>
              <td className="px-2 py-1">{o.legalHold ? 'on' : 'off'}</td>
              <td className="px-2 py-1">{o.replicationStatus ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Copies this request does not delete, so nobody takes the disposal for more than it is. */
export function NotDeleted({ manifest }: { manifest: Manifest }) {
  const { replicas, backups, storedResults } = manifest.elsewhere;
  return (
    <ul className="flex list-disc flex-col gap-2 pl-5 text-sm text-slate-800">
      <li>
        <span className="font-medium">Replicas:</span>{' '}
        {replicas.length
          ? `${formatNumber(replicas.reduce((n, r) => n + r.versions, 0))} object versions of ${formatNumber(replicas.length)} studies have a completed replica in the replication destination (the inventory’s replication status); they stay there.`
          : 'the inventory reports no completed replica of these object versions.'}
        {replicas.length ? (
          <ul className="mt-1 list-[circle] pl-5 text-xs">
            {replicas.map((r) => (
              <li key={r.studyInstanceUid}>
                <span className="font-mono">{r.studyInstanceUid}</span>: {formatNumber(r.versions)} versions
              </li>
            ))}
          </ul>
        ) : null}
      </li>
      <li>
        <span className="font-medium">Backups:</span> {backups ?? 'no backup of the archive is configured in Custos; recovery points elsewhere, if any, are not deleted by this request.'}
      </li>
      <li>
        <span className="font-medium">Custos’s own stored results and exports:</span>{' '}
        {storedResults.length ? `${formatNumber(storedResults.length)} stored query results name a study of the cohort; they are purged when the request executes.` : 'none names a study of the cohort.'}
        {storedResults.length ? (
          <ul className="mt-1 list-[circle] pl-5 text-xs">
            {storedResults.map((r) => (
              <li key={r.runId}>
                {/* named, not linked: the run ledger shows a run to its owner and to roles that see every run */}
                {r.queryId} run <span className="font-mono">{r.runId}</span>{' '}
                ({formatNumber(r.studies.length)} studies)
              </li>
            ))}
          </ul>
        ) : null}
      </li>
      <li>
        <span className="font-medium">Logs:</span> the access logs about these studies are never deleted; their access history stays answerable by patient.
      </li>
    </ul>
  );
}
