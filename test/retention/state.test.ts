import { describe, expect, it } from 'vitest';
import { DELETION_STATES, type DeletionState } from '@/lib/db/schema/retention';
import {
  canTransition,
  checkApproval,
  checkRejection,
  checkStart,
  checkWithdrawal,
  effectiveState,
  FINAL_STATES,
  OPEN_STATES,
  transition,
  TRANSITIONS,
  type Act,
  type DecisionFacts,
} from '@/lib/retention/state';

// The deletion request's state machine, exhaustively: every act from every state is either the
// one allowed transition or a refusal, and the guards refuse self-approval, a second decision by
// the same person, stale manifests and lapsed approvals.
const HASH = 'a'.repeat(64);
const now = new Date('2026-11-10T12:00:00Z');
const request = (state: DeletionState) => ({ state, requestedBy: 'requester', manifestSha256: HASH });
const approval = (userId: string, expiresAt = '2026-11-15T00:00:00Z'): DecisionFacts => ({ userId, decision: 'approve', decidedAt: new Date('2026-11-08T00:00:00Z'), expiresAt: new Date(expiresAt) });
const rejection = (userId: string): DecisionFacts => ({ userId, decision: 'reject', decidedAt: new Date('2026-11-08T00:00:00Z'), expiresAt: null });

const ALLOWED: Record<Act, DeletionState[]> = {
  approve: ['pending'],
  approve_final: ['pending'],
  reject: ['pending'],
  withdraw: ['pending', 'approved'],
  expire: ['pending'],
  start: ['approved'],
  resume: ['executing', 'failed'],
  halt: ['approved', 'executing'],
  complete: ['executing'],
  fail: ['executing'],
};

describe('the transitions', () => {
  it.each(Object.keys(TRANSITIONS) as Act[])('%s: allowed exactly from its listed states, refused from every other', (act) => {
    for (const from of DELETION_STATES) {
      if (ALLOWED[act].includes(from)) expect(transition(act, from)).toBe(TRANSITIONS[act].to);
      else expect(() => transition(act, from), `${act} from ${from}`).toThrow(expect.objectContaining({ code: 'conflict' }));
      expect(canTransition(act, from)).toBe(ALLOWED[act].includes(from));
    }
  });

  it('leaves nothing out of the final states and holds studies only while open', () => {
    expect([...OPEN_STATES, ...FINAL_STATES].sort()).toEqual([...DELETION_STATES].sort());
    for (const from of FINAL_STATES) for (const act of Object.keys(TRANSITIONS) as Act[]) expect(canTransition(act, from)).toBe(false);
  });
});

describe('approving', () => {
  it('counts a first approval, and releases the executor on a second by someone else', () => {
    expect(checkApproval(request('pending'), [], 'a1', HASH, now)).toEqual({ ok: true, final: false });
    expect(checkApproval(request('pending'), [approval('a1')], 'a2', HASH, now)).toEqual({ ok: true, final: true });
  });

  it('refuses the requester (self-approval)', () => {
    expect(checkApproval(request('pending'), [], 'requester', HASH, now)).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('refuses a second approval by the same person, and a decision after their own rejection', () => {
    expect(checkApproval(request('pending'), [approval('a1')], 'a1', HASH, now)).toMatchObject({ ok: false, code: 'conflict', message: expect.stringMatching(/already approved/) });
    expect(checkApproval(request('pending'), [rejection('a1')], 'a1', HASH, now)).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('refuses after a rejection, a withdrawal, an expiry, and once approved or executing', () => {
    for (const state of ['rejected', 'withdrawn', 'expired', 'approved', 'executing', 'completed', 'halted', 'failed'] as const) {
      expect(checkApproval(request(state), [], 'a2', HASH, now), state).toMatchObject({ ok: false, code: 'conflict' });
    }
  });

  it('refuses an approval bound to another manifest hash', () => {
    expect(checkApproval(request('pending'), [], 'a1', 'b'.repeat(64), now)).toMatchObject({ ok: false, code: 'precondition' });
  });

  it('expires the request when an approval lapsed, rather than combine a stale approval with a fresh one', () => {
    const lapsed = [approval('a1', '2026-11-09T00:00:00Z')];
    expect(checkApproval(request('pending'), lapsed, 'a2', HASH, now)).toMatchObject({ ok: false, code: 'conflict', expire: true });
    expect(effectiveState(request('pending'), lapsed, now)).toBe('expired');
    expect(effectiveState(request('pending'), [approval('a1')], now)).toBe('pending');
    expect(effectiveState(request('approved'), lapsed, now)).toBe('approved');
  });
});

describe('rejecting, withdrawing, starting', () => {
  it('lets an approver other than the requester reject once, while pending', () => {
    expect(checkRejection(request('pending'), [], 'a1', now)).toEqual({ ok: true, final: true });
    expect(checkRejection(request('pending'), [], 'requester', now)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(checkRejection(request('pending'), [approval('a1')], 'a1', now)).toMatchObject({ ok: false, code: 'conflict' });
    expect(checkRejection(request('approved'), [], 'a3', now)).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('lets only the requester withdraw, before execution starts', () => {
    expect(checkWithdrawal(request('pending'), 'requester')).toEqual({ ok: true, final: true });
    expect(checkWithdrawal(request('approved'), 'requester')).toEqual({ ok: true, final: true });
    expect(checkWithdrawal(request('pending'), 'a1')).toMatchObject({ ok: false, code: 'forbidden' });
    for (const state of ['executing', 'completed', 'rejected'] as const) expect(checkWithdrawal(request(state), 'requester')).toMatchObject({ ok: false, code: 'conflict' });
  });

  it('starts execution only with two approvals by two people other than the requester and no rejection', () => {
    expect(checkStart(request('approved'), [approval('a1'), approval('a2')])).toEqual({ ok: true, final: true });
    expect(checkStart(request('approved'), [approval('a1')])).toMatchObject({ ok: false, code: 'precondition' });
    expect(checkStart(request('approved'), [approval('a1'), approval('requester')])).toMatchObject({ ok: false, code: 'precondition' });
    expect(checkStart(request('approved'), [approval('a1'), approval('a2'), rejection('a3')])).toMatchObject({ ok: false, code: 'precondition' });
    expect(checkStart(request('pending'), [approval('a1'), approval('a2')])).toMatchObject({ ok: false, code: 'conflict' });
  });
});
