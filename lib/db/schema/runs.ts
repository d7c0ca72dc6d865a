import { bigint, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uuid, date } from 'drizzle-orm/pg-core';
import type { LogCoverage } from '@/lib/engine/port';
import type { ScanScope } from '@/lib/lake/tables';

/** Which days of a run's window came from the access index and which from the raw logs, and the index's watermark then. */
export type RunReadSplit = { indexed: ScanScope | null; raw: ScanScope | null; indexThrough: string | null };

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The query-run ledger: every saved-query execution, kept indefinitely. */
export const queryRuns = pgTable(
  'query_runs',
  {
    id: uuid('id').primaryKey(),
    queryId: text('query_id').notNull(),
    queryTitle: text('query_title').notNull(),
    /** SHA-256 of the exact SQL text sent to the engine. */
    sqlSha256: text('sql_sha256').notNull(),
    /** Parameters as shown to anyone who may see the run: patient identifiers only as opaque references. */
    parameters: jsonb('parameters').$type<Record<string, string>>().notNull(),
    /** Values bound to the statement that identify no patient; used to re-run. */
    binds: jsonb('binds').$type<Record<string, string | number | boolean>>().notNull(),
    /** The patient-identifying binds (MRN hash, study UIDs …) and their partial display values, sealed (AES-256-GCM) with the installation key. */
    phi: text('phi'),
    engine: text('engine').notNull(),
    engineExecutionId: text('engine_execution_id'),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    error: text('error'),
    scopeFrom: date('scope_from'),
    scopeTo: date('scope_to'),
    estimatedBytes: bigint('estimated_bytes', { mode: 'number' }),
    bytesScanned: bigint('bytes_scanned', { mode: 'number' }),
    filesScanned: integer('files_scanned'),
    costUsd: doublePrecision('cost_usd'),
    rowCount: bigint('row_count', { mode: 'number' }),
    resultSha256: text('result_sha256'),
    /** What the logs cover of the run's window, recorded with its result (no PHI: days, hours, counts); null when it reads no log table. */
    coverage: jsonb('coverage').$type<LogCoverage>(),
    /** For a query that reads the access index: the days read from it and from the raw logs; null otherwise. */
    readSplit: jsonb('read_split').$type<RunReadSplit>(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    actorType: text('actor_type', { enum: ['user', 'cli', 'system'] }).notNull(),
    actorId: text('actor_id').notNull(),
    actorLabel: text('actor_label').notNull(),
    actorRole: text('actor_role').notNull(),
    rerunOf: uuid('rerun_of'),
    /** The stored result is kept at least until then (evidence made from it); null: the portal's result retention applies. */
    resultKeepUntil: timestamp('result_keep_until', { withTimezone: true }),
    /** When the stored result was purged (the ledger row and its hashes stay). */
    resultPurgedAt: timestamp('result_purged_at', { withTimezone: true }),
  },
  (t) => [
    index('query_runs_started_idx').on(t.startedAt),
    index('query_runs_query_idx').on(t.queryId, t.startedAt),
    index('query_runs_actor_idx').on(t.actorId, t.startedAt),
  ],
);

export type QueryRunRow = typeof queryRuns.$inferSelect;
