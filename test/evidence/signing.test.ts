import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPatientAccessReport, renderQueryRunReport } from '@/lib/evidence/render';
import { createLocalSigner } from '@/lib/signer/local-p12';
import type { Signer } from '@/lib/signer/port';
import { readPdfSignature, signPdf } from '@/lib/signer/sign-pdf';
import { nssDatabase } from '@/test/signer/pdf-tools';
import { patientAccessDto, queryRunDto } from './fixtures';
import { removeTmpDir, tmpDir, writePdf } from './pdf-text';

let signer: Signer;
let nss: string;

beforeAll(() => {
  signer = createLocalSigner({ dir: path.join(tmpDir, 'signer'), installation: 'evidence-render-test' });
  nss = nssDatabase(path.join(tmpDir, 'nss'));
});
afterAll(removeTmpDir);

describe.each([
  { kind: 'query-run', render: () => renderQueryRunReport(queryRunDto(120)) },
  { kind: 'patient-access', render: () => renderPatientAccessReport(patientAccessDto(120)) },
])('a $kind report', ({ kind, render }) => {
  it('signs once as built and verifies, in Custos and in pdfsig', async () => {
    const pdf = await render();
    const signed = await signPdf(pdf, signer, { reason: `Custos ${kind} report` }, { signingTime: new Date('2026-03-02T14:05:10Z') });
    expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);

    const signature = readPdfSignature(signed);
    expect(signature.problems).toEqual([]);
    expect(signature.valid).toBe(true);
    expect(signature.coversWholeFile).toBe(true);
    expect(signature.signerFingerprint).toBe((await signer.identity()).fingerprint);

    const report = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, writePdf(signed, `${kind}-signed.pdf`)], { encoding: 'utf8' }).stdout;
    expect(report).toContain('Signature is Valid.');
    expect(report).toContain('Total document signed');
  });
});
