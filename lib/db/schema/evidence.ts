import { bigint, date, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const EVIDENCE_KINDS = ['query-run', 'patient-access', 'posture-summary', 'disposition'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** What a piece of evidence is about, by opaque references only (run ids, P-… patient references, request ids). */
export type EvidenceSubject =
  | { type: 'run'; runId: string; queryId: string; queryTitle: string }
  | { type: 'patient'; patient: string; accessRunId: string; studiesRunId: string }
  | { type: 'posture'; from: string; to: string }
  | { type: 'deletion-request'; requestId: string };

/**
 * The evidence registry: every signed PDF Custos issued, by the SHA-256 of its exact bytes, with
 * where it is stored (under Object Lock) and the journal's head when it was made. Rows are never
 * changed or removed.
 */
export const evidence = pgTable(
  'evidence',
  {
    id: uuid('id').primaryKey(),
    /** EV-YYYY-XXXXXXXX, printed on every page of the PDF. */
    evidenceId: text('evidence_id').notNull().unique(),
    kind: text('kind', { enum: EVIDENCE_KINDS }).notNull(),
    title: text('title').notNull(),
    subject: jsonb('subject').$type<EvidenceSubject>().notNull(),
    /** The subject's main reference (run id, patient reference, request id, window), for filters. */
    subjectRef: text('subject_ref').notNull(),
    windowFrom: date('window_from'),
    windowTo: date('window_to'),
    sha256: text('sha256').notNull().unique(),
    bytes: integer('bytes').notNull(),
    signerFingerprint: text('signer_fingerprint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    actorType: text('actor_type', { enum: ['user', 'cli', 'system'] }).notNull(),
    actorId: text('actor_id').notNull(),
    actorLabel: text('actor_label').notNull(),
    actorRole: text('actor_role'),
    journalHeadSeq: bigint('journal_head_seq', { mode: 'number' }).notNull(),
    journalHeadHash: text('journal_head_hash').notNull(),
    objectBucket: text('object_bucket').notNull(),
    objectKey: text('object_key').notNull(),
    objectVersionId: text('object_version_id').notNull(),
  },
  (t) => [
    index('evidence_created_idx').on(t.createdAt),
    index('evidence_actor_idx').on(t.actorId, t.createdAt),
    index('evidence_subject_idx').on(t.subjectRef),
  ],
);

export type EvidenceRow = typeof evidence.$inferSelect;

/**
 * Every certificate Custos has signed with (evidence and journal checkpoints): kept when the
 * signer rotates, so what was signed before still names a certificate the portal vouches for.
 */
export const signerCertificates = pgTable('signer_certificates', {
  /** SHA-256 of the certificate's DER, lowercase hex. */
  fingerprint: text('fingerprint').primaryKey(),
  subject: text('subject').notNull(),
  issuer: text('issuer').notNull(),
  serialNumber: text('serial_number').notNull(),
  notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
  notAfter: timestamp('not_after', { withTimezone: true }).notNull(),
  /** The certificate and its issuers, PEM, signer first. */
  chainPem: text('chain_pem').notNull(),
  /** Which adapter held the key: local (PKCS #12 or the embedded default) or kms. */
  adapter: text('adapter').notNull(),
  firstUsedAt: timestamp('first_used_at', { withTimezone: true }).notNull(),
});

export type SignerCertificateRow = typeof signerCertificates.$inferSelect;
