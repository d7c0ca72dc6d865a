import type { Metadata } from 'next';
import Link from 'next/link';
import { DownloadEvidenceButton } from '@/components/evidence/download-button';
import { MakeReportForm } from '@/components/evidence/make-report-form';
import { PostureReportForm } from '@/components/evidence/posture-report-form';
import { VerifyForm } from '@/components/evidence/verify-form';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { PageHeader, Section } from '@/components/ui/page-header';
import { can } from '@/lib/auth/policy';
import { ValidationError } from '@/lib/errors';
import { KIND_LABELS } from '@/lib/evidence/evidence-dto';
import { getEvidenceSigner } from '@/lib/evidence/get-evidence-signer';
import { listEvidence } from '@/lib/evidence/list-evidence';
import { formatBytes, formatTimestamp } from '@/lib/format';
import { requirePage } from '@/lib/web/guard';
import { downloadEvidenceAction, makePostureReportAction, makeReportAction } from './actions';

export const metadata: Metadata = { title: 'Evidence' };

export default async function EvidencePage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requirePage('/evidence', '/evidence');
  const search = await searchParams;
  const filter = Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined && v !== ''));
  const { run, ...listFilter } = filter;
  let list: Awaited<ReturnType<typeof listEvidence>> = { evidence: [], total: 0 };
  let error: string | null = null;
  try {
    list = await listEvidence(ctx, listFilter);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    error = e.message;
  }
  const signer = await getEvidenceSigner(ctx);
  const everyone = can(ctx.actor, 'runs.view_all');
  const offset = Number(listFilter.offset ?? 0) || 0;
  const pageLink = (next: number) => `/evidence?${new URLSearchParams({ ...listFilter, offset: String(next) }).toString()}`;
  return (
    <>
      <PageHeader
        title="Evidence"
        description="Signed PDF reports anyone can check without trusting this portal: a standard PDF signature (Adobe Acrobat, poppler’s pdfsig), the SHA-256 of every file registered here, and a scope section stating the logs’ coverage and integrity."
      />

      <Section title="Verify a PDF" description="Upload a report to see whether its signature is valid, whether it changed after signing, and whether Custos registered it. The command line does the same: npm run -s custos -- evidence verify FILE.pdf">
        <VerifyForm />
      </Section>

      <Section title="Signing certificate" description="Compare this SHA-256 with the one on a report’s cover and in your PDF reader’s signature panel.">
        {signer.current ? (
          <dl className="grid gap-2 text-sm sm:grid-cols-[14rem_1fr]">
            <dt className="font-medium text-slate-700">Certificate SHA-256</dt>
            <dd>
              <code className="break-all" data-testid="signer-fingerprint">
                {signer.current.fingerprint}
              </code>
            </dd>
            <dt className="font-medium text-slate-700">Subject</dt>
            <dd>{signer.current.subject}</dd>
            <dt className="font-medium text-slate-700">Issuer</dt>
            <dd>{signer.current.selfSigned ? 'Self-signed (created by this installation): readers show it as not trusted until you trust this certificate.' : signer.current.issuer}</dd>
            <dt className="font-medium text-slate-700">Valid</dt>
            <dd>
              {signer.current.notBefore.slice(0, 10)} to {signer.current.notAfter.slice(0, 10)}
            </dd>
            <dt className="font-medium text-slate-700">Time-stamps</dt>
            <dd>{signer.current.timestamped ? 'Every signature carries an RFC 3161 time-stamp.' : 'None (no time-stamping authority is configured): the signing time is the portal’s own clock.'}</dd>
          </dl>
        ) : (
          <Alert tone="error" title="The signer is not available">
            {signer.problem}
          </Alert>
        )}
        {signer.certificates.length > 1 || (signer.certificates.length === 1 && signer.certificates[0]!.fingerprint !== signer.current?.fingerprint) ? (
          <div className="mt-4">
            <h3 className="text-sm font-semibold text-slate-900">Earlier certificates</h3>
            <p className="text-xs text-slate-600">Kept after a rotation: reports they signed still verify.</p>
            <ul className="mt-2 space-y-1 text-xs">
              {signer.certificates
                .filter((c) => c.fingerprint !== signer.current?.fingerprint)
                .map((c) => (
                  <li key={c.fingerprint}>
                    <code className="break-all">{c.fingerprint}</code> — {c.subject}, first used {formatTimestamp(c.firstUsedAt)}
                  </li>
                ))}
            </ul>
          </div>
        ) : null}
      </Section>

      {can(ctx.actor, 'query.use') ? (
        <Section title="Make a signed report" description="A run’s report is for whoever may read its result; the patient access report is for people who may read patient identifiers. Each is journaled.">
          <MakeReportForm action={makeReportAction} download={downloadEvidenceAction} patientReports={can(ctx.actor, 'patient.read_phi')} defaultRunId={run} />
          <p className="mt-3 text-sm text-slate-600">
            Find a run in the <Link className="text-brand-700 underline" href="/audit/runs">run history</Link>.
          </p>
        </Section>
      ) : null}

      {can(ctx.actor, 'posture.view') ? (
        <Section title="Make a signed posture summary" description="The posture dashboards’ headline figures and charts for a window, from its latest finished refresh (refresh the dashboards first). Aggregates only; journaled.">
          <PostureReportForm action={makePostureReportAction} download={downloadEvidenceAction} />
        </Section>
      ) : null}

      <Section title={everyone ? 'Registered evidence' : 'Your evidence'} description={everyone ? 'Every signed report issued by this portal.' : 'The signed reports you made.'}>
        <form method="get" className="mb-4 grid gap-4 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter evidence">
          <Field id="filter-kind" label="Kind">
            <Select id="filter-kind" name="kind" defaultValue={listFilter.kind ?? ''}>
              <option value="">Any</option>
              {Object.entries(KIND_LABELS).map(([kind, label]) => (
                <option key={kind} value={kind}>
                  {label}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="filter-subject" label="Evidence id or subject">
            <Input id="filter-subject" name="subject" defaultValue={listFilter.subject ?? ''} placeholder="EV-…, run id, P-…" />
          </Field>
          <Field id="filter-from" label="Made from">
            <Input id="filter-from" name="from" type="date" defaultValue={listFilter.from ?? ''} />
          </Field>
          <Field id="filter-to" label="Made to">
            <Input id="filter-to" name="to" type="date" defaultValue={listFilter.to ?? ''} />
          </Field>
          {everyone ? (
            <Field id="filter-mine" label="Made by">
              <Select id="filter-mine" name="mine" defaultValue={listFilter.mine ?? ''}>
                <option value="">Anyone</option>
                <option value="1">Me</option>
              </Select>
            </Field>
          ) : null}
          <div className="flex items-end">
            <Button type="submit" variant="secondary">
              Apply filters
            </Button>
          </div>
        </form>
        {error ? <Alert tone="error">{error}</Alert> : null}
        <div className="relative overflow-x-auto rounded-md border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Registered evidence, newest first</caption>
            <thead className="bg-slate-50 text-left text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Evidence id</th>
                <th scope="col" className="px-3 py-2 font-medium">Kind</th>
                <th scope="col" className="px-3 py-2 font-medium">Belongs to</th>
                <th scope="col" className="px-3 py-2 font-medium">Window</th>
                <th scope="col" className="px-3 py-2 font-medium">Made (UTC)</th>
                <th scope="col" className="px-3 py-2 font-medium">By</th>
                <th scope="col" className="px-3 py-2 font-medium">SHA-256</th>
                <th scope="col" className="px-3 py-2 font-medium">File</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.evidence.map((e) => (
                <tr key={e.id}>
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{e.evidenceId}</td>
                  <td className="px-3 py-2">{KIND_LABELS[e.kind]}</td>
                  <td className="px-3 py-2">
                    {e.subject.type === 'run' ? (
                      <Link className="text-brand-700 underline" href={`/audit/runs/${e.subject.runId}`}>
                        {e.subjectLabel}
                      </Link>
                    ) : (
                      e.subjectLabel
                    )}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">{e.window ? `${e.window.from} to ${e.window.to}` : '—'}</td>
                  <td className="whitespace-nowrap px-3 py-2">{formatTimestamp(e.createdAt)}</td>
                  <td className="px-3 py-2">{e.createdBy}</td>
                  <td className="px-3 py-2 font-mono text-xs" title={e.sha256}>
                    {e.sha256.slice(0, 16)}…
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">
                    {e.canDownload ? <DownloadEvidenceButton evidenceId={e.evidenceId} download={downloadEvidenceAction} /> : <span className="text-xs text-slate-500">Your role may not read it</span>}
                    <span className="block text-xs text-slate-500">{formatBytes(e.bytes)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.evidence.length === 0 ? <p className="p-4 text-sm text-slate-600">No evidence matches.</p> : null}
        </div>
        <nav aria-label="Evidence pages" className="mt-3 flex items-center justify-between text-sm text-slate-600">
          <span>{list.total.toLocaleString('en-US')} reports</span>
          <span className="flex gap-2">
            {offset > 0 ? <Link className="rounded border border-slate-300 bg-white px-3 py-1" href={pageLink(Math.max(0, offset - 50))}>Previous page</Link> : null}
            {offset + list.evidence.length < list.total ? <Link className="rounded border border-slate-300 bg-white px-3 py-1" href={pageLink(offset + 50)}>Next page</Link> : null}
          </span>
        </nav>
      </Section>
    </>
  );
}
