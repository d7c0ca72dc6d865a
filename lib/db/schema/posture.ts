import { date, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const POSTURE_REFRESH_STATES = ['running', 'succeeded', 'partial', 'failed'] as const;
export type PostureRefreshState = (typeof POSTURE_REFRESH_STATES)[number];

/**
 * One refresh of the posture dashboards for a window (UTC days, inclusive): which recorded query
 * runs and control-plane snapshots each panel reads. The dashboards render from the latest
 * finished refresh of a window; none of it names a patient.
 */
export const postureRefreshes = pgTable(
  'posture_refreshes',
  {
    id: uuid('id').primaryKey(),
    windowFrom: date('window_from').notNull(),
    windowTo: date('window_to').notNull(),
    trigger: text('trigger', { enum: ['on_demand', 'schedule'] }).notNull(),
    state: text('state', { enum: POSTURE_REFRESH_STATES }).notNull(),
    /** Figure key (e.g. storage.snapshot) → query run id. */
    runs: jsonb('runs').$type<Record<string, string>>().notNull(),
    /** Snapshot kind (trails, lifecycle) → posture snapshot id. */
    snapshots: jsonb('snapshots').$type<Record<string, string>>().notNull(),
    /** Figure key → why it has no run (refused, failed), in plain words. */
    problems: jsonb('problems').$type<Record<string, string>>().notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    actorType: text('actor_type', { enum: ['user', 'cli', 'system'] }).notNull(),
    actorId: text('actor_id').notNull(),
    actorLabel: text('actor_label').notNull(),
  },
  (t) => [index('posture_refreshes_window_idx').on(t.windowFrom, t.windowTo, t.requestedAt)],
);

/**
 * An AWS control-plane answer the dashboards read (trail status and selectors, a bucket's
 * lifecycle rules), recorded like a run: when, which calls (or which recorded answers in a local
 * lake), the answer as JSON and its SHA-256 (canonical JSON). Rows are never changed.
 */
export const postureSnapshots = pgTable(
  'posture_snapshots',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: ['trails', 'lifecycle'] }).notNull(),
    source: text('source', { enum: ['lake', 'aws'] }).notNull(),
    /** What was asked about: the bucket of a lifecycle snapshot; null for trails. */
    subject: text('subject'),
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull(),
    calls: jsonb('calls').$type<Record<string, unknown>[]>().notNull(),
    body: jsonb('body').$type<unknown>(),
    /** Why there is no answer, when there is none. */
    unavailable: text('unavailable'),
    sha256: text('sha256').notNull(),
    actorId: text('actor_id').notNull(),
    actorLabel: text('actor_label').notNull(),
  },
  (t) => [index('posture_snapshots_kind_idx').on(t.kind, t.takenAt)],
);

export type PostureRefreshRow = typeof postureRefreshes.$inferSelect;
export type PostureSnapshotRow = typeof postureSnapshots.$inferSelect;
