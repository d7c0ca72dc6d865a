import 'server-only';
import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '@/lib/context';
import type { Db } from '@/lib/db/port';
import {
  deletionDecisions,
  deletionRequests,
  deletionRequestStudies,
  type DeletionDecisionRow,
  type DeletionRequestRow,
  type DeletionState,
} from '@/lib/db/schema/retention';
import { notFoundError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { OPEN_STATES } from './state';

// The request's rows as the verbs use them: read (optionally locked), moved to a new state with the
// studies it held released when it ends.

export async function lockRequest(tx: Db, id: string): Promise<DeletionRequestRow> {
  const [row] = await tx.select().from(deletionRequests).where(eq(deletionRequests.id, id)).for('update');
  if (!row) throw notFoundError('The deletion request');
  return row;
}

export async function readRequest(db: Db, id: string): Promise<DeletionRequestRow> {
  const [row] = await db.select().from(deletionRequests).where(eq(deletionRequests.id, id));
  if (!row) throw notFoundError('The deletion request');
  return row;
}

export async function decisionsOf(db: Db, requestIds: readonly string[]): Promise<DeletionDecisionRow[]> {
  if (!requestIds.length) return [];
  return db.select().from(deletionDecisions).where(inArray(deletionDecisions.requestId, [...requestIds])).orderBy(deletionDecisions.decidedAt);
}

/** Moves the request to `state`; a state that is not open releases its studies for other requests. */
export async function setState(tx: Db, ctx: Ctx, id: string, state: DeletionState, fields: Partial<DeletionRequestRow> = {}): Promise<void> {
  await tx.update(deletionRequests).set({ ...fields, state, updatedAt: ctx.now() }).where(eq(deletionRequests.id, id));
  if (!OPEN_STATES.includes(state)) {
    await tx
      .update(deletionRequestStudies)
      .set({ open: false })
      .where(and(eq(deletionRequestStudies.requestId, id), eq(deletionRequestStudies.open, true)));
  }
}

/** Ends a pending request whose approval has lapsed, journaled (in its own transaction, before the refusal is raised). */
export async function expireRequest(tx: Db, ctx: Ctx, row: DeletionRequestRow, lapsedAt: Date): Promise<void> {
  await setState(tx, ctx, row.id, 'expired', { stateReason: `An approval expired on ${lapsedAt.toISOString()} before the second was given.`, finishedAt: ctx.now() });
  await appendJournal(tx, ctx, { action: 'retention_request.expire', subject: row.id, details: { approvalExpiredAt: lapsedAt.toISOString() } });
}
