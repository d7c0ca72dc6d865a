import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DownloadEvidenceButton } from '@/components/evidence/download-button';
import { AutoRefresh } from '@/components/retention/auto-refresh';
import { ApproveForm, RejectForm, ResumeForm, WithdrawForm } from '@/components/retention/decision-forms';
import { DecisionsTable, ExecutionSummary, HistoryList, ManifestTotals } from '@/components/retention/request-details';
import { ManifestStudies, NotDeleted } from '@/components/retention/manifest-view';
import { RequestStateBadge } from '@/components/retention/request-state';
import { Alert } from '@/components/ui/alert';
import { PageHeader, Section } from '@/components/ui/page-header';
import { can } from '@/lib/auth/policy';
import { listEvidence } from '@/lib/evidence/list-evidence';
import type { EvidenceDto } from '@/lib/evidence/evidence-dto';
import { formatTimestamp } from '@/lib/format';
import { getDeletionRequest } from '@/lib/retention/get-deletion-request';
import type { RequestDto } from '@/lib/retention/request-dto';
import { STEP_UP_MINUTES, stepUpMethod } from '@/lib/retention/step-up';
import type { Ctx } from '@/lib/context';
import { requirePage } from '@/lib/web/guard';
import { pageData } from '@/lib/web/page-data';
import { downloadEvidenceAction } from '../../../evidence/actions';
import { approveDeletionAction, rejectDeletionAction, resumeDeletionAction, withdrawDeletionAction } from './actions';

export const metadata: Metadata = { title: 'Deletion request' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The certificate as the registry shows it to this person, or null when their role does not see it there. */
async function registeredCertificate(ctx: Ctx, certificate: RequestDto['certificate']): Promise<EvidenceDto | null> {
  if (!certificate || !can(ctx.actor, 'evidence.view')) return null;
  const { evidence } = await listEvidence(ctx, { subject: certificate.evidenceId, kind: 'disposition' });
  return evidence.find((e) => e.evidenceId === certificate.evidenceId) ?? null;
}

export default async function DeletionRequestPage({ params }: { params: Promise<{ requestId: string }> }) {
  const { requestId } = await params;
  const ctx = await requirePage('/retention/requests/[requestId]', `/retention/requests/${requestId}`);
  if (!UUID.test(requestId)) notFound();
  const request = await pageData(getDeletionRequest(ctx, { requestId }));
  const stepUp = request.can.approve ? await stepUpMethod(ctx) : null;
  const certificate = await registeredCertificate(ctx, request.certificate);
  const running = request.state === 'approved' || request.state === 'executing';
  const awaitingCertificate = request.state === 'completed' && !request.certificate;

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/retention" className="text-brand-700 hover:underline">
          ← Retention
        </Link>
      </p>
      <PageHeader
        title={`Deletion request ${request.id.slice(0, 8)}`}
        description={
          <span className="flex flex-col gap-1">
            <span className="flex flex-wrap items-center gap-2">
              <RequestStateBadge state={request.state} label={request.stateLabel} />
              <span>
                filed {formatTimestamp(request.requestedAt)} by {request.requestedBy}
                {request.mine ? ' (you)' : ''}; retention judged as of {request.asOf}
              </span>
            </span>
            <span>Reason: {request.reason}</span>
            <span className="font-mono text-xs text-slate-500">{request.id}</span>
          </span>
        }
      />

      {request.stateReason ? (
        <div className="mb-6">
          <Alert tone={request.state === 'failed' || request.state === 'halted' ? 'error' : 'info'} title={request.stateLabel}>
            {request.stateReason}
          </Alert>
        </div>
      ) : null}
      {running || awaitingCertificate ? (
        <div className="mb-6">
          <AutoRefresh label={running ? `${request.stateLabel}: this page follows its progress.` : 'Disposed; the certificate is being signed: this page shows it when it is ready.'} />
        </div>
      ) : null}

      <DecisionPanel request={request} stepUp={stepUp} />

      <Section title="Manifest" description="Frozen when the request was filed: exactly what will be deleted. Approvals are bound to its SHA-256 (of its canonical JSON).">
        <ManifestTotals request={request} />
        {request.manifest ? (
          <div className="mt-4">
            <ManifestStudies manifest={request.manifest} />
          </div>
        ) : (
          <p className="mt-4 text-sm text-slate-600">Your role sees the manifest’s totals, not its studies.</p>
        )}
      </Section>

      {request.manifest ? (
        <Section title="Not deleted by this request" description="Copies elsewhere, listed so nobody takes the disposal for more than it is.">
          <NotDeleted manifest={request.manifest} />
        </Section>
      ) : null}

      <Section title="Approvals" description={`${request.approvalsNeeded} approvals by people with the approver role, neither the requester; each re-authenticates just before approving.`}>
        <DecisionsTable decisions={request.decisions} />
      </Section>

      {request.items || request.execution ? (
        <Section title="Execution" description="Each object version deleted by its version id and each image set by its id, recorded item by item; then verified.">
          <ExecutionSummary request={request} />
        </Section>
      ) : null}

      {request.certificate ? (
        <Section title="Proof of disposition" description="A signed PDF certificate, registered as evidence and verifiable like every other.">
          <dl className="grid gap-2 text-sm sm:grid-cols-[14rem_1fr]" data-testid="disposition-certificate">
            <dt className="font-medium text-slate-700">Evidence id</dt>
            <dd className="font-mono text-xs">{request.certificate.evidenceId}</dd>
            <dt className="font-medium text-slate-700">SHA-256</dt>
            <dd>
              <code className="break-all text-xs">{request.certificate.sha256}</code>
            </dd>
            <dt className="font-medium text-slate-700">Signed</dt>
            <dd>{formatTimestamp(request.certificate.createdAt)}</dd>
            <dt className="font-medium text-slate-700">File</dt>
            <dd>
              {certificate?.canDownload ? (
                <DownloadEvidenceButton evidenceId={certificate.evidenceId} download={downloadEvidenceAction} />
              ) : (
                <span className="text-slate-600">Your role does not download it here; anyone can check a copy on the Evidence page.</span>
              )}
            </dd>
          </dl>
          <p className="mt-3 text-sm">
            <Link className="text-brand-700 underline" href={`/evidence?${new URLSearchParams({ subject: request.certificate.evidenceId }).toString()}`}>
              Open it in the evidence registry
            </Link>
          </p>
        </Section>
      ) : null}

      <Section title="History" description="Every step, from the journal.">
        <HistoryList history={request.history} />
      </Section>
    </>
  );
}

function DecisionPanel({ request, stepUp }: { request: RequestDto; stepUp: Awaited<ReturnType<typeof stepUpMethod>> | null }) {
  const { can: may } = request;
  const pendingMine = request.mine && request.state === 'pending';
  if (!may.approve && !may.reject && !may.withdraw && !may.resume && !pendingMine) return null;
  return (
    <Section title="Your decision" description={may.approve ? 'Review the manifest and each study’s explanation below first.' : undefined}>
      <div className="flex flex-col gap-6">
        {pendingMine ? (
          <Alert tone="info" title="You filed this request">
            Approving it is for two other approvers; you may withdraw it until its execution starts.
          </Alert>
        ) : null}
        {may.approve && stepUp ? (
          <ApproveForm
            action={approveDeletionAction.bind(null, request.id)}
            manifestSha256={request.manifestSha256}
            stepUp={stepUp.method === 'password' ? stepUp : { ...stepUp, minutes: STEP_UP_MINUTES }}
          />
        ) : null}
        {may.reject ? <RejectForm action={rejectDeletionAction.bind(null, request.id)} /> : null}
        {may.withdraw ? <WithdrawForm action={withdrawDeletionAction.bind(null, request.id)} /> : null}
        {may.resume ? <ResumeForm action={resumeDeletionAction.bind(null, request.id)} /> : null}
      </div>
    </Section>
  );
}
