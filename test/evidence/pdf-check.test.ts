import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimedEvidenceId, EVIDENCE_ID, newEvidenceId } from '@/lib/evidence/ids';
import { checkPdf } from '@/lib/evidence/pdf-check';
import { renderQueryRunReport } from '@/lib/evidence/render';
import { createLocalSigner } from '@/lib/signer/local-p12';
import type { Signer } from '@/lib/signer/port';
import { signPdf } from '@/lib/signer/sign-pdf';
import { flipByte, makePdf } from '@/test/signer/pdf-tools';
import { queryRunDto } from './fixtures';
import { removeTmpDir, tmpDir } from './pdf-text';

// What a PDF's own bytes prove, trusting none of them: the signature over the bytes it names, a
// byte range from the first byte to the last, and a placeholder holding the CMS and zeros only.

let signer: Signer;
let signed: Buffer;
let byteRange: [number, number, number, number];

beforeAll(async () => {
  signer = createLocalSigner({ dir: path.join(tmpDir, 'pdf-check-signer'), installation: 'pdf-check' });
  signed = await signPdf(await renderQueryRunReport(queryRunDto(40)), signer, { reason: 'test' }, { signingTime: new Date('2026-03-02T14:05:10Z') });
  byteRange = checkPdf(signed).signature!.byteRange;
});
afterAll(removeTmpDir);

describe('checkPdf', () => {
  it('finds a signed, whole, unchanged file valid, with its signer certificate', async () => {
    const check = checkPdf(signed);
    expect(check).toMatchObject({ cryptographicallyValid: true, wholeAndUnchanged: true, problems: [], bytes: signed.length });
    expect(check.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(check.signer?.fingerprint).toBe((await signer.identity()).fingerprint);
    expect(check.signer?.subject).toContain('CN=Custos evidence signer');
  });

  it.each([
    ['the first signed range', () => 200],
    ['the end of the first signed range', () => byteRange[1] - 1],
    ['the second signed range', () => byteRange[2] + 5],
    ['the last byte', () => signed.length - 1],
  ])('refuses one flipped byte in %s: the digest no longer matches', (_where, offset) => {
    const check = checkPdf(flipByte(signed, offset()));
    expect(check.wholeAndUnchanged).toBe(false);
    expect(check.cryptographicallyValid).toBe(false);
  });

  it('refuses a change inside the signature and in its zero padding', () => {
    const inCms = checkPdf(flipByte(signed, byteRange[1] + 301));
    expect(inCms.cryptographicallyValid && inCms.wholeAndUnchanged).toBe(false);
    const padding = checkPdf(Buffer.concat([signed.subarray(0, byteRange[2] - 3), Buffer.from('1'), signed.subarray(byteRange[2] - 2)]));
    expect(padding.wholeAndUnchanged).toBe(false);
    expect(padding.problems).toContain('the signature placeholder’s padding was changed');
  });

  it('refuses bytes appended after signing', () => {
    const check = checkPdf(Buffer.concat([signed, Buffer.from('\n%%EOF\n')]));
    expect(check.wholeAndUnchanged).toBe(false);
    expect(check.problems).toContain('the signature does not cover the whole file: bytes were added or removed after signing');
  });

  it('says so of an unsigned PDF and of a file that is no PDF', async () => {
    expect(checkPdf(await makePdf()).problems).toEqual(['the PDF carries no digital signature']);
    expect(checkPdf(Buffer.from('hello')).problems).toEqual(['the file is not a PDF']);
  });
});

describe('evidence ids', () => {
  it('are EV-<year>-<8 Crockford base32>, random', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newEvidenceId(new Date('2026-03-02T00:00:00Z'))));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(EVIDENCE_ID);
    expect([...ids][0]).toMatch(/^EV-2026-/);
  });

  it('can be read from a report without inflating it (its document information)', async () => {
    const evidenceId = newEvidenceId(new Date());
    const pdf = await renderQueryRunReport(queryRunDto(5, { evidenceId }));
    expect(claimedEvidenceId(pdf)).toBe(evidenceId);
    expect(claimedEvidenceId(await makePdf())).toBeNull();
  });
});
