import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { desc } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkpointStore } from '@/lib/admin/check-journal';
import { writeJournalCheckpoint } from '@/lib/admin/write-journal-checkpoint';
import { canonicalize } from '@/lib/canonical';
import { makeCtx } from '@/lib/context';
import { journal } from '@/lib/db/schema';
import { withTransaction } from '@/lib/db/tx';
import { appendJournal } from '@/lib/journal/append';
import { CHECKPOINT_PREFIX, verifyCheckpoints } from '@/lib/journal/checkpoints';
import { verifyJournal } from '@/lib/journal/verify';
import { signDetached } from '@/lib/signer/detached';
import { createLocalSigner } from '@/lib/signer/local-p12';
import { toPem } from '@/lib/signer/certificates';
import { testServices, type TestServices } from '../support/services';

// Journal checkpoints are signed through the signer port (a detached CMS over the checkpoint's
// canonical JSON) besides their MAC: openssl checks the signature with the certificate alone, and
// `journal verify` refuses a checkpoint whose signature is missing, wrong, or by a certificate the
// portal never signed with.

const BUCKET = 'custos-journal-checkpoints';

describe(`signed journal checkpoints (${process.env.CUSTOS_TEST_DB})`, () => {
  let root: string;
  let services: TestServices;
  const cli = () => makeCtx(services, { type: 'cli', osUser: 'tester' });
  const append = (n: number) =>
    withTransaction(makeCtx(services, { type: 'system', job: 'test' }), async (tx, c) => {
      for (let i = 0; i < n; i++) await appendJournal(tx, c, { action: 'lake.compact', subject: null, details: { rawFiles: i, records: 0, partitionsWritten: 0, seconds: 0 } });
    });
  const verify = async () => verifyCheckpoints(services.database.db, checkpointStore(services), await verifyJournal(services.database.db));
  const stored = async (key: string) => JSON.parse(Buffer.from((await services.objects.get({ bucket: BUCKET, key })).body).toString('utf8')) as Record<string, unknown>;
  const keyOf = (seq: number) => `${CHECKPOINT_PREFIX}${String(seq).padStart(12, '0')}.json`;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-checkpoint-signing-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  beforeEach(async () => {
    services = await testServices({ seed: false });
  });
  afterEach(async () => services?.dispose());

  it('carries a detached CMS signature over its canonical JSON that openssl verifies with the certificate alone', async () => {
    await append(4);
    const written = (await writeJournalCheckpoint(cli()))!;
    const body = await stored(written.object.key);
    const { mac: _mac, signature, ...checkpoint } = body as { mac: unknown; version: number; signature: { alg: string; signer: string; value: string } };
    expect(checkpoint.version).toBe(2);
    const identity = await services.signer.identity();
    expect(signature).toMatchObject({ alg: 'CMS', signer: identity.fingerprint });
    const files = { content: path.join(root, 'checkpoint.json'), cms: path.join(root, 'checkpoint.p7s'), cert: path.join(root, 'signer.pem') };
    fs.writeFileSync(files.content, canonicalize(checkpoint));
    fs.writeFileSync(files.cms, Buffer.from(signature.value, 'base64'));
    fs.writeFileSync(files.cert, toPem(identity.certificateChain[0]!));
    const openssl = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', files.cms, '-content', files.content, '-CAfile', files.cert, '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    expect(openssl.stderr).toContain('Verification successful');
    expect(await verify()).toMatchObject({ verified: 1, problem: null });
  });

  it('is forged without its signature, or signed by a certificate the portal never signed with', async () => {
    await append(3);
    const first = (await writeJournalCheckpoint(cli()))!;
    const original = await stored(first.object.key);
    const { signature: _signature, ...unsigned } = original;
    await services.objects.put({ bucket: BUCKET, key: first.object.key, body: JSON.stringify(unsigned) });
    expect((await verify()).problem).toEqual({ kind: 'checkpoint-forged', seq: first.seq });

    const stranger = createLocalSigner({ dir: path.join(root, `stranger-${Date.now()}`), installation: 'stranger' });
    const { mac: _mac, signature: _s, ...checkpoint } = original;
    const value = (await signDetached(stranger, Buffer.from(canonicalize(checkpoint), 'utf8'))).toString('base64');
    const resigned = { ...original, signature: { alg: 'CMS', signer: (await stranger.identity()).fingerprint, value } };
    await services.objects.put({ bucket: BUCKET, key: first.object.key, body: JSON.stringify(resigned) });
    expect((await verify()).problem).toEqual({ kind: 'checkpoint-forged', seq: first.seq });

    await services.objects.put({ bucket: BUCKET, key: first.object.key, body: JSON.stringify(original) });
    expect((await verify()).problem).toBeNull();
  });

  it('keeps verifying after the signer rotates, and accepts the MAC-only checkpoints written before signing', async () => {
    await append(2);
    // a version 1 checkpoint, as written before checkpoints were signed
    const [head] = await services.database.db.select().from(journal).orderBy(desc(journal.seq)).limit(1);
    const legacy = { version: 1, seq: head!.seq, hash: head!.hash, at: head!.at.toISOString(), writtenAt: new Date().toISOString(), previous: null };
    const { id, key } = services.keys.checkpointKey();
    const mac = { alg: 'HMAC-SHA256', keyId: id, value: createHmac('sha256', key).update(canonicalize(legacy)).digest('hex') };
    await services.objects.put({ bucket: BUCKET, key: keyOf(head!.seq), body: JSON.stringify({ ...legacy, mac }), retention: { mode: 'COMPLIANCE', retainUntil: new Date(Date.now() + 86_400_000) } });
    expect(await verify()).toMatchObject({ verified: 1, problem: null });

    await append(2);
    const before = (await writeJournalCheckpoint(cli()))!;
    const original = services.signer;
    try {
      services.signer = createLocalSigner({ dir: path.join(root, `rotated-${Date.now()}`), installation: 'rotated' });
      await append(2);
      const after = (await writeJournalCheckpoint(cli()))!;
      expect((await stored(after.object.key)).signature).toMatchObject({ signer: (await services.signer.identity()).fingerprint });
      expect((await stored(before.object.key)).signature).toMatchObject({ signer: (await original.identity()).fingerprint });
      expect(await verify()).toMatchObject({ verified: 3, latestSeq: after.seq, problem: null });
    } finally {
      services.signer = original;
    }
  });
});
