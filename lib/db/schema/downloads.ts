import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * A download an export request (a POST, journaled) handed out: single-use, short-lived, bound to
 * the person who asked. Only the token's SHA-256 is kept. A token is for a run's export (run_id)
 * or for a registered evidence PDF (evidence_id).
 */
export const downloadTokens = pgTable(
  'download_tokens',
  {
    tokenSha256: text('token_sha256').primaryKey(),
    runId: uuid('run_id'),
    evidenceId: uuid('evidence_id'),
    format: text('format').notNull(),
    actorId: text('actor_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('download_tokens_expires_idx').on(t.expiresAt)],
);
