import { bigint, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The portal's own audit journal. Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and
 * hash-chained: hash = SHA-256(canonical(entry without hash) including prev_hash). No foreign keys,
 * so entries outlive their subjects.
 */
export const journal = pgTable('journal', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
  actorType: text('actor_type').notNull(),
  actorId: text('actor_id').notNull(),
  actorLabel: text('actor_label').notNull(),
  actorRole: text('actor_role'),
  action: text('action').notNull(),
  subject: text('subject'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  requestId: text('request_id'),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

export type JournalRow = typeof journal.$inferSelect;
