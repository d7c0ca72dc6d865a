import 'server-only';
import type { Ctx } from '@/lib/context';
import { withTransaction } from '@/lib/db/tx';
import { DomainError } from '@/lib/errors';
import { appendJournal } from '@/lib/journal/append';
import type { Role } from '@/lib/db/schema/users';
import { can, canRunQuery, type Permission } from './policy';

// mutation-path: this records the refusal itself; there is no permission to check.
export async function journalForbidden(ctx: Ctx, permission: string, where: string): Promise<void> {
  await withTransaction(ctx, (tx, txCtx) => appendJournal(tx, txCtx, { action: 'auth.forbidden', subject: where, details: { permission } }));
}

/** First line of every verb: refuse (and journal the refusal) when the actor lacks the permission. */
export async function authorize(ctx: Ctx, permission: Permission, where: string = permission): Promise<void> {
  if (can(ctx.actor, permission)) return;
  await journalForbidden(ctx, permission, where);
  throw new DomainError('forbidden', 'Your role does not allow this.');
}

export async function authorizeQuery(ctx: Ctx, queryId: string, roles: readonly Role[]): Promise<void> {
  if (canRunQuery(ctx.actor, roles)) return;
  await journalForbidden(ctx, 'query.run', `query:${queryId}`);
  throw new DomainError('forbidden', 'Your role may not run this query.');
}
