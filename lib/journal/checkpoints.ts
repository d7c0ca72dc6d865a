import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Actor } from '@/lib/actor';
import { canonicalize } from '@/lib/canonical';
import type { Db } from '@/lib/db/port';
import { journal } from '@/lib/db/schema';
import type { KeyRing } from '@/lib/keys/port';
import { findSignerCertificate, recordSignerCertificate } from '@/lib/signer/certificate-registry';
import { signDetached, verifyDetached } from '@/lib/signer/detached';
import type { Signer } from '@/lib/signer/port';
import { allObjects, type ObjectStore } from '@/lib/storage/object-store';
import { appendJournal } from './append';
import type { JournalVerification } from './verify';

// The journal's head anchored outside the database: written to the object store under Object Lock,
// authenticated with a key the database does not hold, each checkpoint naming the one before it.
// Tail truncation, an edited-and-rechained journal and a deleted checkpoint are then all visible.
// Since version 2 each checkpoint also carries a detached CMS signature through the signer port
// (the evidence signer), so anyone holding its certificate can check it without the portal's key.

export const CHECKPOINT_PREFIX = 'journal/checkpoints/';
const keyOf = (seq: number) => `${CHECKPOINT_PREFIX}${String(seq).padStart(12, '0')}.json`;

export type Checkpoint = {
  /** 1: MAC only (written before checkpoints were signed); 2: MAC and signature. */
  version: 1 | 2;
  seq: number;
  hash: string;
  /** When the entry at `seq` was appended. */
  at: string;
  writtenAt: string;
  previous: { seq: number; hash: string; key: string } | null;
};

type StoredCheckpoint = Checkpoint & {
  mac: { alg: 'HMAC-SHA256'; keyId: string; value: string };
  /** Detached CMS SignedData (base64) over the checkpoint's canonical JSON, and its signer certificate's SHA-256. */
  signature?: { alg: 'CMS'; signer: string; value: string };
};

export type CheckpointStore = { objects: ObjectStore; bucket: string; keys: KeyRing; retentionDays: number; signer: Signer };

export type WrittenCheckpoint = { seq: number; hash: string; at: string; object: { bucket: string; key: string; versionId: string } };

export type CheckpointProblem = { kind: 'truncated' | 'rechained' | 'checkpoint-missing' | 'checkpoint-forged' | 'broken-chain'; seq: number };

function mac(keys: KeyRing, checkpoint: Checkpoint): StoredCheckpoint['mac'] {
  const { id, key } = keys.checkpointKey();
  return { alg: 'HMAC-SHA256', keyId: id, value: createHmac('sha256', key).update(canonicalize(checkpoint)).digest('hex') };
}

function authentic(keys: KeyRing, stored: StoredCheckpoint): boolean {
  const { mac: given, signature: _signature, ...checkpoint } = stored;
  const expected = mac(keys, checkpoint as Checkpoint);
  if (given?.alg !== expected.alg || given.keyId !== expected.keyId || typeof given.value !== 'string' || given.value.length !== expected.value.length) return false;
  return timingSafeEqual(Buffer.from(given.value), Buffer.from(expected.value));
}

const signedBytes = (checkpoint: Checkpoint) => Buffer.from(canonicalize(checkpoint), 'utf8');

/** A version 2 checkpoint's signature verifies over its canonical bytes, by a certificate the portal recorded signing with. */
async function signed(db: Db, stored: StoredCheckpoint, known: Map<string, boolean>): Promise<boolean> {
  if (stored.version === 1) return true;
  const { mac: _mac, signature, ...checkpoint } = stored;
  if (signature?.alg !== 'CMS' || typeof signature.value !== 'string' || typeof signature.signer !== 'string') return false;
  const check = verifyDetached(Buffer.from(signature.value, 'base64'), signedBytes(checkpoint as Checkpoint));
  if (!check.valid || check.signerFingerprint !== signature.signer) return false;
  if (!known.has(signature.signer)) known.set(signature.signer, (await findSignerCertificate(db, signature.signer)) !== null);
  return known.get(signature.signer)!;
}

/** A checkpoint as stored; 'unreadable' when its bytes no longer match what was stored or are not one. */
async function readCheckpoint(store: CheckpointStore, key: string): Promise<StoredCheckpoint | null | 'unreadable'> {
  try {
    const object = await store.objects.get({ bucket: store.bucket, key });
    return JSON.parse(Buffer.from(object.body).toString('utf8')) as StoredCheckpoint;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'not-found') return null;
    if (code === 'corrupt' || error instanceof SyntaxError) return 'unreadable';
    throw error;
  }
}

/** Every checkpoint object's key, in order. */
async function checkpointKeys(store: CheckpointStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of allObjects(store.objects, { bucket: store.bucket, prefix: CHECKPOINT_PREFIX })) keys.push(object.key);
  return keys.sort();
}

/**
 * Writes a checkpoint of the journal's head now (and journals that it did). The object is kept
 * under compliance-mode Object Lock for the retention, so not even the portal can remove it.
 */
export async function writeCheckpoint(db: Db, store: CheckpointStore, actor: Actor, requestId: string): Promise<WrittenCheckpoint | null> {
  const [head] = await db.select({ seq: journal.seq, hash: journal.hash, at: journal.at }).from(journal).orderBy(desc(journal.seq)).limit(1);
  if (!head) return null;
  const keys = await checkpointKeys(store);
  const read = keys.length ? await readCheckpoint(store, keys.at(-1)!) : null;
  const last = read && read !== 'unreadable' ? read : null;
  const now = new Date();
  const checkpoint: Checkpoint = {
    version: 2,
    seq: head.seq,
    hash: head.hash,
    at: head.at.toISOString(),
    writtenAt: now.toISOString(),
    previous: last ? { seq: last.seq, hash: last.hash, key: keys.at(-1)! } : null,
  };
  const identity = await store.signer.identity();
  // the certificate is on record before anything it signs can be found
  await db.transaction(async (tx) => recordSignerCertificate(tx as unknown as Db, store.signer, identity, now));
  const signature = { alg: 'CMS' as const, signer: identity.fingerprint, value: (await signDetached(store.signer, signedBytes(checkpoint))).toString('base64') };
  const body = JSON.stringify({ ...checkpoint, mac: mac(store.keys, checkpoint), signature } satisfies StoredCheckpoint, null, 2);
  const put = await store.objects.put({
    bucket: store.bucket,
    key: keyOf(head.seq),
    body,
    contentType: 'application/json',
    retention: { mode: 'COMPLIANCE', retainUntil: new Date(now.getTime() + store.retentionDays * 86_400_000) },
  });
  await db.transaction(async (tx) =>
    appendJournal(tx as unknown as Db, { actor, now: () => now, requestId }, {
      action: 'journal.checkpoint',
      subject: null,
      details: { seq: head.seq, hash: head.hash, object: put.key, versionId: put.versionId },
    }),
  );
  return { seq: head.seq, hash: head.hash, at: checkpoint.at, object: { bucket: store.bucket, key: put.key, versionId: put.versionId } };
}

/**
 * Checks the journal against every checkpoint: each must be authentic, follow the one before it,
 * still exist if the journal says it was written, and agree with the entry at its sequence number.
 */
export async function verifyCheckpoints(db: Db, store: CheckpointStore, chain: JournalVerification): Promise<{ verified: number; latestSeq: number | null; problem: CheckpointProblem | null }> {
  const found = { verified: 0, latestSeq: null as number | null };
  if (!chain.ok && chain.firstBreak) return { ...found, problem: { kind: 'broken-chain', seq: chain.firstBreak.seq } };
  const keys = await checkpointKeys(store);
  const knownSigners = new Map<string, boolean>();
  let previous: { seq: number; hash: string; key: string } | null = null;
  for (const key of keys) {
    const read = await readCheckpoint(store, key);
    const stored = read === 'unreadable' ? null : read;
    if (!stored || (stored.version !== 1 && stored.version !== 2) || !authentic(store.keys, stored) || keyOf(stored.seq) !== key || !(await signed(db, stored, knownSigners))) {
      return { ...found, problem: { kind: 'checkpoint-forged', seq: Number(key.slice(CHECKPOINT_PREFIX.length, -5)) } };
    }
    // each checkpoint names the one written before it: one missing in between breaks that link
    if (previous ? stored.previous?.key !== previous.key || stored.previous.hash !== previous.hash : stored.previous !== null) {
      return { ...found, problem: { kind: 'checkpoint-missing', seq: stored.previous?.seq ?? stored.seq } };
    }
    if (stored.seq > chain.lastSeq) return { ...found, problem: { kind: 'truncated', seq: chain.lastSeq + 1 } };
    const [entry] = await db.select({ hash: journal.hash }).from(journal).where(eq(journal.seq, stored.seq));
    if (!entry || entry.hash !== stored.hash) return { ...found, problem: { kind: 'rechained', seq: stored.seq } };
    previous = { seq: stored.seq, hash: stored.hash, key };
    found.verified++;
    found.latestSeq = stored.seq;
  }
  // the journal records each checkpoint it wrote: the latest one deleted is missing from the store
  const recorded = await db
    .select({ seq: journal.seq, details: journal.details })
    .from(journal)
    .where(and(eq(journal.action, 'journal.checkpoint'), previous ? gt(sql`(${journal.details}->>'seq')::bigint`, previous.seq) : sql`true`))
    .orderBy(journal.seq)
    .limit(1);
  if (recorded[0]) return { ...found, problem: { kind: 'checkpoint-missing', seq: Number(recorded[0].details.seq) } };
  return { ...found, problem: null };
}

/** Whether a checkpoint is due: N entries since the last, or M minutes with any (the checkpoint's own work aside). */
export async function checkpointDue(db: Db, policy: { entries: number; minutes: number }): Promise<boolean> {
  const [last] = await db
    .select({ seq: journal.seq, at: journal.at })
    .from(journal)
    .where(eq(journal.action, 'journal.checkpoint'))
    .orderBy(desc(journal.seq))
    .limit(1);
  const result = (await db.execute(sql`
    SELECT count(*)::int AS pending FROM journal
    WHERE seq > ${last?.seq ?? 0}
      AND NOT (action LIKE 'job.%' AND details->>'kind' = ${CHECKPOINT_JOB})`)) as unknown as { rows: { pending: number }[] };
  const pending = Number(result.rows[0]?.pending ?? 0);
  if (pending >= policy.entries) return true;
  return pending > 0 && (!last || Date.now() - last.at.getTime() >= policy.minutes * 60_000);
}

export const CHECKPOINT_JOB = 'journal.checkpoint';
