import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDetached, verifyDetached } from '@/lib/signer/detached';
import { createLocalSigner } from '@/lib/signer/local-p12';
import type { Signer } from '@/lib/signer/port';
import { flipByte } from './pdf-tools';

// The detached signature journal checkpoints carry: the same CMS as a PDF's, over plain bytes.
let root: string;
let signer: Signer;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-detached-'));
  signer = createLocalSigner({ dir: path.join(root, 'signer'), installation: 'detached' });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a detached CMS signature', () => {
  const content = Buffer.from('{"hash":"ab","seq":12,"version":2}');

  it('verifies over the bytes it signed and names its signer', async () => {
    const cms = await signDetached(signer, content);
    expect(verifyDetached(cms, content)).toEqual({ valid: true, signerFingerprint: (await signer.identity()).fingerprint, problems: [] });
  });

  it('fails for other bytes, a changed signature, or something that is no CMS', async () => {
    const cms = await signDetached(signer, content);
    expect(verifyDetached(cms, Buffer.from('{"hash":"ab","seq":13,"version":2}'))).toMatchObject({ valid: false, problems: ['the message digest does not match the signed bytes'] });
    expect(verifyDetached(flipByte(cms, cms.length - 10), content).valid).toBe(false);
    expect(verifyDetached(Buffer.from('not a signature'), content)).toMatchObject({ valid: false, signerFingerprint: null });
  });
});
