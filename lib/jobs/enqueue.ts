import 'server-only';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import type { Ctx } from '@/lib/context';
import type { Db } from '@/lib/db/port';
import { jobs } from '@/lib/db/schema';
import { appendJournal } from '@/lib/journal/append';
import type { JobSpec } from './types';

/**
 * Adds a job inside the caller's transaction, journaled there. Workers see it once the transaction
 * commits (at their next poll, or at once if the caller then calls wakeWorkers()).
 */
export async function enqueueJob(tx: Db, ctx: Pick<Ctx, 'actor' | 'now' | 'requestId'>, spec: JobSpec): Promise<string> {
  const id = randomUUID();
  await tx.insert(jobs).values({
    id,
    kind: spec.kind,
    subject: spec.subject ?? null,
    payload: spec.payload ?? {},
    state: 'queued',
    maxAttempts: spec.maxAttempts ?? 3,
    runAfter: sql`now() + ${spec.delaySeconds ?? 0} * interval '1 second'`,
    createdAt: sql`now()`,
    createdBy: actorId(ctx.actor),
  });
  await appendJournal(tx, ctx, { action: 'job.created', subject: id, details: { kind: spec.kind, ...(spec.subject ? { about: spec.subject } : {}) } });
  return id;
}
