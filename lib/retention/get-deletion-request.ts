import 'server-only';
import { and, asc, eq, like } from 'drizzle-orm';
import { actorId } from '@/lib/actor';
import { z } from 'zod';
import { authorize } from '@/lib/auth/authorize';
import { can } from '@/lib/auth/policy';
import type { Ctx } from '@/lib/context';
import { journal } from '@/lib/db/schema';
import { deletionItems } from '@/lib/db/schema/retention';
import { withTransaction } from '@/lib/db/tx';
import { parseInput } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import { toRequestDto, type RequestDto } from './request-dto';
import { decisionsOf, readRequest } from './request-records';

export const GetDeletionRequestInput = z.object({ requestId: z.uuid('Not a deletion request.') });

const HISTORY_WORDS: Record<string, string> = {
  'retention_request.create': 'filed the request and froze its manifest',
  'retention_request.view': 'reviewed the manifest',
  'retention_request.approve': 'approved',
  'retention_request.reject': 'rejected',
  'retention_request.withdraw': 'withdrew the request',
  'retention_request.expire': 'the request expired',
  'retention_request.execute': 'execution started',
  'retention_request.halt': 'execution halted, nothing deleted',
  'retention_request.study_disposed': 'a study was deleted',
  'retention_request.complete': 'deletion completed and verified',
  'retention_request.fail': 'execution stopped with items left',
  'retention_request.resume': 'execution resumed',
  'retention_request.certificate': 'proof-of-disposition certificate signed',
  'job.created': 'job queued',
};

function describe(action: string, details: Record<string, unknown>): string {
  const word = HISTORY_WORDS[action] ?? action;
  if (action === 'retention_request.approve') return `${word} (${details.stepUp === 'oidc' ? 'fresh sign-in' : 'password re-entered'}; approval ${String(details.approvals)} of 2)`;
  if (action === 'retention_request.execute') return `${details.resumed ? 'execution resumed' : word} (attempt ${String(details.attempt)})`;
  if (action === 'retention_request.certificate') return `${word}: ${String(details.evidenceId)}`;
  return word;
}

const REVIEW_JOURNAL_MINUTES = 15;

/**
 * One request with its manifest (for the roles that read study identifiers), decisions, progress
 * and history. Opening it to review the manifest is journaled.
 */
export async function getDeletionRequest(ctx: Ctx, raw: unknown): Promise<RequestDto> {
  await authorize(ctx, 'retention.view');
  const { requestId } = parseInput(GetDeletionRequestInput, raw, { requestId: 'Request' });
  const row = await readRequest(ctx.db, requestId);
  const decisions = await decisionsOf(ctx.db, [row.id]);
  const items = await ctx.db.select().from(deletionItems).where(eq(deletionItems.requestId, row.id)).orderBy(asc(deletionItems.seq));
  const entries = await ctx.db
    .select()
    .from(journal)
    .where(and(eq(journal.subject, row.id), like(journal.action, 'retention_request.%')))
    .orderBy(asc(journal.seq));
  const history = entries.map((e) => ({ at: e.at.toISOString(), action: e.action, by: e.actorLabel, details: describe(e.action, e.details) }));
  const dto = toRequestDto(row, decisions, items, history, ctx);
  // one entry per person and manifest per quarter hour: the page refreshing itself while a request executes is one review
  const since = new Date(ctx.now().getTime() - REVIEW_JOURNAL_MINUTES * 60_000);
  const reviewedLately = entries.some((e) => e.action === 'retention_request.view' && e.actorId === actorId(ctx.actor) && e.at > since && (e.details as { manifestSha256?: string }).manifestSha256 === row.manifestSha256);
  if (can(ctx.actor, 'retention.read_identifiers') && !reviewedLately) {
    await withTransaction(ctx, (tx, txCtx) => appendJournal(tx, txCtx, { action: 'retention_request.view', subject: row.id, details: { manifestSha256: row.manifestSha256 } }));
  }
  return dto;
}
