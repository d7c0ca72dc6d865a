import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Retention rule sets as data (lib/retention/rule-set.ts), one row per version: a new version is a
 * new row, never an edit. One version of each rule set is in force; a request keeps the versions
 * its studies were evaluated under.
 */
export const retentionRuleSets = pgTable(
  'retention_rule_sets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ruleSetId: text('rule_set_id').notNull(),
    version: integer('version').notNull(),
    /** The validated rule set (RuleSet), as evaluated. */
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    inForce: boolean('in_force').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    uniqueIndex('retention_rule_sets_version_idx').on(t.ruleSetId, t.version),
    uniqueIndex('retention_rule_sets_in_force_idx').on(t.ruleSetId).where(sql`${t.inForce}`),
  ],
);

/** Legal holds the privacy officer places on studies; a lifted hold stays on record. At most one active hold per study. */
export const legalHolds = pgTable(
  'legal_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    studyInstanceUid: text('study_instance_uid').notNull(),
    reason: text('reason').notNull(),
    placedBy: text('placed_by').notNull(),
    placedByLabel: text('placed_by_label').notNull(),
    placedAt: timestamp('placed_at', { withTimezone: true }).notNull(),
    liftedBy: text('lifted_by'),
    liftedByLabel: text('lifted_by_label'),
    liftedAt: timestamp('lifted_at', { withTimezone: true }),
    liftReason: text('lift_reason'),
  },
  (t) => [
    uniqueIndex('legal_holds_active_idx').on(t.studyInstanceUid).where(sql`${t.liftedAt} is null`),
    index('legal_holds_study_idx').on(t.studyInstanceUid),
  ],
);

export const DELETION_STATES = ['pending', 'approved', 'executing', 'completed', 'halted', 'failed', 'rejected', 'withdrawn', 'expired'] as const;
export type DeletionState = (typeof DELETION_STATES)[number];

/** End-of-retention deletion requests: the frozen manifest, its SHA-256, and where the request stands. */
export const deletionRequests = pgTable(
  'deletion_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    state: text('state', { enum: DELETION_STATES }).notNull(),
    reason: text('reason').notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedByLabel: text('requested_by_label').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    /** The UTC day retention was judged on when the request was filed. */
    asOf: text('as_of').notNull(),
    /** The manifest as frozen (lib/retention/manifest.ts), canonical JSON's source. */
    manifest: jsonb('manifest').$type<Record<string, unknown>>().notNull(),
    manifestSha256: text('manifest_sha256').notNull(),
    studies: integer('studies').notNull(),
    objectVersions: integer('object_versions').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    imageSets: integer('image_sets').notNull(),
    /** Why the request ended where it did (halted, failed, rejected, withdrawn, expired). */
    stateReason: text('state_reason'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    executionStartedAt: timestamp('execution_started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** The executor's account: per-item outcome counts, verification, objects found but not deleted. */
    execution: jsonb('execution').$type<Record<string, unknown>>(),
    /** The signed proof-of-disposition certificate, once made. */
    certificate: jsonb('certificate').$type<Record<string, unknown>>(),
  },
  (t) => [index('deletion_requests_state_idx').on(t.state)],
);

/** The studies of a request; a study is in at most one open request at a time. */
export const deletionRequestStudies = pgTable(
  'deletion_request_studies',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => deletionRequests.id),
    studyInstanceUid: text('study_instance_uid').notNull(),
    open: boolean('open').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.studyInstanceUid] }), uniqueIndex('deletion_request_studies_open_idx').on(t.studyInstanceUid).where(sql`${t.open}`)],
);

/** Approvals and rejections: one per person per request, each bound to the manifest hash it saw. */
export const deletionDecisions = pgTable(
  'deletion_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    requestId: uuid('request_id')
      .notNull()
      .references(() => deletionRequests.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    userLabel: text('user_label').notNull(),
    decision: text('decision', { enum: ['approve', 'reject'] }).notNull(),
    manifestSha256: text('manifest_sha256').notNull(),
    /** How the approver re-authenticated just before approving. */
    stepUp: text('step_up', { enum: ['password', 'oidc'] }),
    stepUpAt: timestamp('step_up_at', { withTimezone: true }),
    comment: text('comment'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    /** An approval counts until then. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('deletion_decisions_person_idx').on(t.requestId, t.userId)],
);

export const ITEM_STATES = ['pending', 'deleting', 'deleted', 'gone', 'failed'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/**
 * The executor's progress, one row per manifest item: `deleting` is written before the delete is
 * sent, `deleted` after it returned (or `gone` when it had already disappeared), so a crash between
 * the two is resolved by looking, never by deleting twice blindly or forgetting.
 */
export const deletionItems = pgTable(
  'deletion_items',
  {
    requestId: uuid('request_id')
      .notNull()
      .references(() => deletionRequests.id),
    seq: integer('seq').notNull(),
    studyInstanceUid: text('study_instance_uid').notNull(),
    kind: text('kind', { enum: ['object-version', 'image-set'] }).notNull(),
    /** Object versions: bucket, key, version id; image sets: datastore id, image set id, version id. */
    container: text('container').notNull(),
    name: text('name').notNull(),
    versionId: text('version_id').notNull(),
    state: text('state', { enum: ITEM_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.seq] })],
);

/**
 * Each disposed study, in Custos's own database (the production catalog belongs to the ingest
 * pipeline): the access history of a disposed study stays answerable by patient through it.
 */
export const studyDispositions = pgTable(
  'study_dispositions',
  {
    studyInstanceUid: text('study_instance_uid').primaryKey(),
    accessionNumber: text('accession_number'),
    /** The catalog's patient_id_hash (HMAC of the MRN), as the catalog had it. */
    patientIdHash: text('patient_id_hash'),
    datastoreId: text('datastore_id'),
    imageSetIds: jsonb('image_set_ids').$type<string[]>().notNull(),
    s3KeyPrefix: text('s3_key_prefix'),
    requestId: uuid('request_id')
      .notNull()
      .references(() => deletionRequests.id),
    disposedAt: timestamp('disposed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('study_dispositions_patient_idx').on(t.patientIdHash)],
);

export type RuleSetRow = typeof retentionRuleSets.$inferSelect;
export type LegalHoldRow = typeof legalHolds.$inferSelect;
export type DeletionRequestRow = typeof deletionRequests.$inferSelect;
export type DeletionDecisionRow = typeof deletionDecisions.$inferSelect;
export type DeletionItemRow = typeof deletionItems.$inferSelect;
export type StudyDispositionRow = typeof studyDispositions.$inferSelect;
