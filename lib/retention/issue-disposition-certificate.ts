import 'server-only';
import { eq } from 'drizzle-orm';
import type { Actor } from '@/lib/actor';
import { authorize } from '@/lib/auth/authorize';
import { makeCtx, type Ctx, type Services } from '@/lib/context';
import { deletionRequests } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { issueEvidence } from '@/lib/evidence/issue';
import type { JobHandler } from '@/lib/jobs/types';
import { appendJournal } from '@/lib/journal/append';
import { renderDispositionCertificate, type CertificateRuleSet, type DispositionCertificateDto } from './disposition-certificate';
import { describeKeep } from './list-rule-sets';
import { storedManifest } from './manifest';
import { decisionsOf, lockRequest, readRequest } from './request-records';
import { ruleSetVersion } from './rule-sets';
import { describeWhen } from './rule-terms';

const CERTIFIER: Actor = { type: 'system', job: 'retention-executor' };

async function certificateData(ctx: Ctx, requestId: string) {
  const request = await readRequest(ctx.db, requestId);
  const manifest = storedManifest(request.manifest);
  const decisions = await decisionsOf(ctx.db, [requestId]);
  const ruleSets: CertificateRuleSet[] = [];
  for (const key of [...new Set(manifest.studies.map((s) => `${s.retention.ruleSetId}@${s.retention.ruleSetVersion}`))].sort()) {
    const [id, version] = key.split('@') as [string, string];
    const set = await ruleSetVersion(ctx.db, id, Number(version));
    if (set) ruleSets.push({ id, version: set.version, name: set.name, jurisdiction: set.jurisdiction, majorityAge: set.majorityAge, leapDay: set.leapDay, rules: set.rules.map((r) => ({ id: r.id, when: describeWhen(r), keep: describeKeep(r) })) });
  }
  const execution = (request.execution ?? {}) as Partial<DispositionCertificateDto['execution']>;
  return { request, manifest, decisions, ruleSets, execution };
}

// mutation-path: a job of the portal's own (the system actor, authorized below); the registry row is
// written by issueEvidence with its journal entry, and the request's link to it with its own.
/** Makes, signs and registers the request's proof-of-disposition certificate once the disposal is complete and verified. */
export function certificateJob(services: Services): JobHandler {
  return async ({ job }) => {
    const ctx = makeCtx(services, CERTIFIER, job.id);
    await authorize(ctx, 'retention.execute');
    const { requestId } = job.payload as { requestId: string };
    const { request, manifest, decisions, ruleSets, execution } = await certificateData(ctx, requestId);
    if (request.state !== 'completed') return { skipped: request.state };
    if (request.certificate) return { skipped: 'issued' };
    const issued = await issueEvidence(ctx, {
      kind: 'disposition',
      title: `Proof of disposition: ${manifest.totals.studies} ${manifest.totals.studies === 1 ? 'study' : 'studies'}`,
      subject: { type: 'deletion-request', requestId },
      subjectRef: requestId,
      window: null,
      reason: `Custos proof of disposition: deletion request ${requestId}, manifest SHA-256 ${request.manifestSha256}`,
      render: (header) =>
        renderDispositionCertificate({
          ...header,
          request: {
            id: request.id,
            reason: request.reason,
            requestedBy: request.requestedByLabel,
            requestedAt: request.requestedAt.toISOString(),
            asOf: request.asOf,
            executionStartedAt: request.executionStartedAt?.toISOString() ?? null,
            finishedAt: request.finishedAt?.toISOString() ?? null,
          },
          manifest,
          manifestSha256: request.manifestSha256,
          ruleSets,
          decisions: decisions.map((d) => ({
            by: d.userLabel,
            decision: d.decision,
            decidedAt: d.decidedAt.toISOString(),
            stepUp: d.stepUp,
            stepUpAt: d.stepUpAt?.toISOString() ?? null,
            manifestSha256: d.manifestSha256,
            comment: d.comment,
          })),
          execution: {
            items: { deleted: 0, gone: 0, failed: 0, pending: 0, deleting: 0, ...execution.items },
            verified: execution.verified === true,
            verifiedAt: execution.verifiedAt ?? null,
            appeared: execution.appeared ?? [],
            resultsPurged: execution.resultsPurged ?? 0,
          },
        }),
    });
    await withTransaction(ctx, async (tx, txCtx) => {
      const locked = await lockRequest(tx, requestId);
      if (locked.certificate) return;
      await tx
        .update(deletionRequests)
        .set({ certificate: { id: issued.id, evidenceId: issued.evidenceId, sha256: issued.sha256, createdAt: issued.createdAt } })
        .where(eq(deletionRequests.id, requestId));
      await appendJournal(tx, txCtx, { action: 'retention_request.certificate', subject: requestId, details: { evidenceId: issued.evidenceId, sha256: issued.sha256 } });
    });
    return { evidenceId: issued.evidenceId };
  };
}
