// The deletion request's state machine, pure: which act is allowed from which state, by whom, and
// what it leads to. Every verb asks it under the request's row lock; a refusal names the reason.
import { DomainError } from '@/lib/errors';
import type { DeletionState } from '@/lib/db/schema/retention';

export type { DeletionState };

export const APPROVALS_NEEDED = 2;

/** States in which the request still holds its studies (no other request may take them). */
export const OPEN_STATES: readonly DeletionState[] = ['pending', 'approved', 'executing', 'failed'];
/** States in which nothing more will happen. */
export const FINAL_STATES: readonly DeletionState[] = ['completed', 'halted', 'rejected', 'withdrawn', 'expired'];

export const STATE_LABELS: Record<DeletionState, string> = {
  pending: 'Awaiting approval',
  approved: 'Approved, queued for execution',
  executing: 'Executing',
  completed: 'Disposed and verified',
  halted: 'Halted before deleting anything',
  failed: 'Execution stopped with items left',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
};

/** The transitions, as data: act → the states it may start from → the state it leads to. */
export const TRANSITIONS = {
  approve: { from: ['pending'], to: 'pending' },
  approve_final: { from: ['pending'], to: 'approved' },
  reject: { from: ['pending'], to: 'rejected' },
  withdraw: { from: ['pending', 'approved'], to: 'withdrawn' },
  expire: { from: ['pending'], to: 'expired' },
  start: { from: ['approved'], to: 'executing' },
  resume: { from: ['executing', 'failed'], to: 'executing' },
  halt: { from: ['approved', 'executing'], to: 'halted' },
  complete: { from: ['executing'], to: 'completed' },
  fail: { from: ['executing'], to: 'failed' },
} as const satisfies Record<string, { from: readonly DeletionState[]; to: DeletionState }>;

export type Act = keyof typeof TRANSITIONS;

export function canTransition(act: Act, from: DeletionState): boolean {
  return (TRANSITIONS[act].from as readonly DeletionState[]).includes(from);
}

/** The state after `act`, or a Conflict naming why the act is not possible from `from`. */
export function transition(act: Act, from: DeletionState): DeletionState {
  if (!canTransition(act, from)) throw new DomainError('conflict', `This request is ${STATE_LABELS[from].toLowerCase()}: it cannot be ${ACT_WORDS[act]} now.`);
  return TRANSITIONS[act].to;
}

const ACT_WORDS: Record<Act, string> = {
  approve: 'approved',
  approve_final: 'approved',
  reject: 'rejected',
  withdraw: 'withdrawn',
  expire: 'expired',
  start: 'executed',
  resume: 'resumed',
  halt: 'halted',
  complete: 'completed',
  fail: 'marked failed',
};

export type RequestFacts = { state: DeletionState; requestedBy: string; manifestSha256: string };
export type DecisionFacts = { userId: string; decision: 'approve' | 'reject'; decidedAt: Date; expiresAt: Date | null };

/** Approvals that still count at `now`. */
export function validApprovals(decisions: readonly DecisionFacts[], now: Date): DecisionFacts[] {
  return decisions.filter((d) => d.decision === 'approve' && d.expiresAt !== null && d.expiresAt.getTime() > now.getTime());
}

/** A pending request whose approval has lapsed has expired: a stale approval is never combined with a fresh one. */
export function lapsedApproval(request: RequestFacts, decisions: readonly DecisionFacts[], now: Date): DecisionFacts | null {
  if (request.state !== 'pending') return null;
  return decisions.find((d) => d.decision === 'approve' && d.expiresAt !== null && d.expiresAt.getTime() <= now.getTime()) ?? null;
}

/** The state a reader should see: a pending request with a lapsed approval is expired even before anyone touches it. */
export function effectiveState(request: RequestFacts, decisions: readonly DecisionFacts[], now: Date): DeletionState {
  return lapsedApproval(request, decisions, now) ? 'expired' : request.state;
}

export type ApprovalCheck =
  | { ok: true; final: boolean }
  | { ok: false; code: 'conflict' | 'forbidden' | 'precondition'; message: string; expire?: true };

/**
 * Whether `userId` may approve now, bound to `manifestSha256`: not the requester, not twice, only
 * while pending, only the manifest as it is, and never beside a lapsed approval.
 */
export function checkApproval(request: RequestFacts, decisions: readonly DecisionFacts[], userId: string, manifestSha256: string, now: Date): ApprovalCheck {
  if (request.requestedBy === userId) return { ok: false, code: 'forbidden', message: 'You filed this request: approving it is for two other approvers.' };
  const mine = decisions.find((d) => d.userId === userId);
  if (mine) return { ok: false, code: 'conflict', message: mine.decision === 'approve' ? 'You have already approved this request; a second approval must come from someone else.' : 'You rejected this request.' };
  const lapsed = lapsedApproval(request, decisions, now);
  if (lapsed) return { ok: false, code: 'conflict', message: `An approval of this request expired on ${lapsed.expiresAt!.toISOString()}; the request has expired. File a new request.`, expire: true };
  if (!canTransition('approve', request.state)) return { ok: false, code: 'conflict', message: transitionMessage(request.state, 'approve') };
  if (manifestSha256 !== request.manifestSha256) {
    return { ok: false, code: 'precondition', message: 'The manifest you reviewed is not the one this request holds (its SHA-256 differs). Reload the request and review it again.' };
  }
  return { ok: true, final: validApprovals(decisions, now).length + 1 >= APPROVALS_NEEDED };
}

export function checkRejection(request: RequestFacts, decisions: readonly DecisionFacts[], userId: string, now: Date): ApprovalCheck {
  if (request.requestedBy === userId) return { ok: false, code: 'forbidden', message: 'You filed this request: withdraw it instead.' };
  if (decisions.some((d) => d.userId === userId)) return { ok: false, code: 'conflict', message: 'You have already decided on this request.' };
  const lapsed = lapsedApproval(request, decisions, now);
  if (lapsed) return { ok: false, code: 'conflict', message: 'An approval of this request has expired; the request has expired.', expire: true };
  if (!canTransition('reject', request.state)) return { ok: false, code: 'conflict', message: transitionMessage(request.state, 'reject') };
  return { ok: true, final: true };
}

export function checkWithdrawal(request: RequestFacts, userId: string): ApprovalCheck {
  if (request.requestedBy !== userId) return { ok: false, code: 'forbidden', message: 'Only the person who filed the request may withdraw it.' };
  if (!canTransition('withdraw', request.state)) return { ok: false, code: 'conflict', message: transitionMessage(request.state, 'withdraw') };
  return { ok: true, final: true };
}

/** The executor starts only from `approved`, with two distinct approvals that counted when the second was given. */
export function checkStart(request: RequestFacts, decisions: readonly DecisionFacts[]): ApprovalCheck {
  if (!canTransition('start', request.state) && !canTransition('resume', request.state)) return { ok: false, code: 'conflict', message: transitionMessage(request.state, 'start') };
  const approvals = decisions.filter((d) => d.decision === 'approve');
  const people = new Set(approvals.map((d) => d.userId));
  if (people.size < APPROVALS_NEEDED || people.has(request.requestedBy) || decisions.some((d) => d.decision === 'reject')) {
    return { ok: false, code: 'precondition', message: `Execution needs ${APPROVALS_NEEDED} approvals by people other than the requester.` };
  }
  return { ok: true, final: true };
}

function transitionMessage(state: DeletionState, act: Act): string {
  return `This request is ${STATE_LABELS[state].toLowerCase()}: it cannot be ${ACT_WORDS[act]} now.`;
}

export function refuse(check: Extract<ApprovalCheck, { ok: false }>): never {
  throw new DomainError(check.code, check.message);
}
