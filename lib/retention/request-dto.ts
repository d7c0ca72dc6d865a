import 'server-only';
import { actorId } from '@/lib/actor';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import type { DeletionDecisionRow, DeletionItemRow, DeletionRequestRow, DeletionState } from '@/lib/db/schema/retention';
import { storedManifest, type Manifest } from './manifest';
import { APPROVALS_NEEDED, effectiveState, STATE_LABELS, validApprovals } from './state';

// What a reader sees of a deletion request. The manifest names studies, never patients; it is shown
// to the roles that read study identifiers (privacy officer, approvers), the rest see its totals.

export type DecisionDto = {
  by: string;
  decision: 'approve' | 'reject';
  decidedAt: string;
  stepUp: 'password' | 'oidc' | null;
  stepUpAt: string | null;
  manifestSha256: string;
  comment: string | null;
  expiresAt: string | null;
  counts: boolean;
};

export type RequestSummaryDto = {
  id: string;
  state: DeletionState;
  stateLabel: string;
  requestedBy: string;
  requestedAt: string;
  reason: string;
  totals: Manifest['totals'];
  approvals: number;
  approvalsNeeded: number;
  awaitingMe: boolean;
  mine: boolean;
};

export type RequestDto = RequestSummaryDto & {
  stateReason: string | null;
  asOf: string;
  manifestSha256: string;
  manifest: Manifest | null;
  decisions: DecisionDto[];
  executionStartedAt: string | null;
  finishedAt: string | null;
  items: Record<DeletionItemRow['state'], number> | null;
  execution: {
    verified: boolean | null;
    verifiedAt: string | null;
    appeared: { studyInstanceUid: string; key: string; versionId: string; deleteMarker: boolean; size: number }[];
    resultsPurged: number;
  } | null;
  certificate: { id: string; evidenceId: string; sha256: string; createdAt: string } | null;
  history: { at: string; action: string; by: string; details: string }[];
  can: { approve: boolean; reject: boolean; withdraw: boolean; resume: boolean };
};

export function toSummaryDto(row: DeletionRequestRow, decisions: readonly DeletionDecisionRow[], ctx: Ctx): RequestSummaryDto {
  const now = ctx.now();
  const state = effectiveState(row, decisions, now);
  const me = actorId(ctx.actor);
  const mine = row.requestedBy === me;
  return {
    id: row.id,
    state,
    stateLabel: STATE_LABELS[state],
    requestedBy: row.requestedByLabel,
    requestedAt: row.requestedAt.toISOString(),
    reason: row.reason,
    totals: { studies: row.studies, objectVersions: row.objectVersions, bytes: row.bytes, imageSets: row.imageSets },
    approvals: state === 'pending' ? validApprovals(decisions, now).length : decisions.filter((d) => d.decision === 'approve').length,
    approvalsNeeded: APPROVALS_NEEDED,
    awaitingMe: state === 'pending' && can(ctx.actor, 'retention.approve') && !mine && !decisions.some((d) => d.userId === me),
    mine,
  };
}

export function toRequestDto(
  row: DeletionRequestRow,
  decisions: readonly DeletionDecisionRow[],
  items: readonly DeletionItemRow[],
  history: RequestDto['history'],
  ctx: Ctx,
): RequestDto {
  const summary = toSummaryDto(row, decisions, ctx);
  const now = ctx.now();
  const counts = { pending: 0, deleting: 0, deleted: 0, gone: 0, failed: 0 };
  for (const i of items) counts[i.state]++;
  const execution = row.execution as RequestDto['execution'] | null;
  const cert = row.certificate as RequestDto['certificate'];
  const isRequester = summary.mine;
  return {
    ...summary,
    stateReason: row.stateReason,
    asOf: row.asOf,
    manifestSha256: row.manifestSha256,
    manifest: can(ctx.actor, 'retention.read_identifiers') ? storedManifest(row.manifest) : null,
    decisions: decisions.map((d) => ({
      by: d.userLabel,
      decision: d.decision,
      decidedAt: d.decidedAt.toISOString(),
      stepUp: d.stepUp,
      stepUpAt: d.stepUpAt?.toISOString() ?? null,
      manifestSha256: d.manifestSha256,
      comment: d.comment,
      expiresAt: d.expiresAt?.toISOString() ?? null,
      counts: d.decision === 'approve' && (summary.state !== 'pending' || (d.expiresAt !== null && d.expiresAt > now)),
    })),
    executionStartedAt: row.executionStartedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    items: items.length ? counts : null,
    execution: execution
      ? { verified: execution.verified ?? null, verifiedAt: execution.verifiedAt ?? null, appeared: execution.appeared ?? [], resultsPurged: execution.resultsPurged ?? 0 }
      : null,
    certificate: cert ?? null,
    history,
    can: {
      approve: summary.awaitingMe,
      reject: summary.awaitingMe,
      withdraw: isRequester && (summary.state === 'pending' || summary.state === 'approved'),
      resume: can(ctx.actor, 'retention.request') && summary.state === 'failed',
    },
  };
}
