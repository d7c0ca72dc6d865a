import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { niceStep, renderPostureSummary, type PostureSummaryReportDto } from '@/lib/evidence/render';
import { createLocalSigner } from '@/lib/signer/local-p12';
import { readPdfSignature, signPdf } from '@/lib/signer/sign-pdf';
import { nssDatabase, pdfsig } from '@/test/signer/pdf-tools';
import { header, scope } from './fixtures';
import { flat, fontsOf, pagesOf, removeTmpDir, tmpDir, writePdf } from './pdf-text';

// The posture summary: the dashboards' headlines, key figures and charts (vector graphics, not
// pictures), with the recorded runs behind them, in the same frame as every report.

const RUN = '0195f3a2-9e63-7f40-8d3c-5e6f7a8b9c0d';
const days = Array.from({ length: 30 }, (_, i) => `2026-02-${String(i + 1).padStart(2, '0')}`).filter((d) => d <= '2026-02-28').concat(['2026-03-01']);

function postureDto(): PostureSummaryReportDto {
  return {
    ...header('posture-summary', { evidenceId: 'EV-2026-7Q2M9XKD', title: 'Posture summary' }),
    scope: scope({ doesNotProve: ['Costs are list-price estimates of storage alone (no requests, retrievals or minimum-duration charges).'] }),
    asOf: '2026-03-02T06:00:41Z',
    refreshId: '0195f3a2-9e63-7f40-8d3c-000000000001',
    headlines: [
      { title: 'Storage tiers', status: 'ok', text: '61.4 TB in 412,883,120 object versions, 100.0% under Object Lock; about $68,312.40 a month in storage.' },
      { title: 'KMS Decrypt denied', status: 'attention', text: '1,204 refusals; one spike above the seasonal baseline: 2026-02-14 10:00 – 11:00 UTC (977 refusals).' },
      { title: 'Trail health', status: 'unknown', text: 'No recorded trail status for this window.' },
    ],
    figures: [
      { label: 'Archive size', value: '61.4 TB', detail: '412,883,120 object versions' },
      { label: 'Decrypt refusals', value: '1,204', detail: '1 spike' },
    ],
    charts: [
      { title: 'Storage by class', kind: 'bars', unit: 'bytes', series: [{ label: 'Bytes' }], points: [{ label: 'Standard', values: [3.2e12] }, { label: 'Glacier Deep Archive', values: [51.7e12] }], note: `S3 Inventory as of 2026-03-01; run ${RUN}.` },
      { title: 'KMS Decrypt refusals per day', kind: 'bars', unit: 'count', series: [{ label: 'Refusals' }], points: days.map((d, i) => ({ label: d, values: [d === '2026-02-14' ? 977 : i % 5] })) },
      { title: 'Requests to images per day', kind: 'bars', unit: 'count', series: [{ label: 'HealthImaging' }, { label: 'S3' }], points: days.map((d, i) => ({ label: d, values: [800 + i * 7, 120 + (i % 4) * 30] })) },
      { title: 'Projected storage cost under the lifecycle rules (US dollars a month)', kind: 'line', unit: 'usd', series: [{ label: 'Estimated cost' }], points: ['2026-03', '2026-04', '2026-05'].map((m, i) => ({ label: m, values: [68_000 - i * 900] })) },
      { title: 'Storage over the window, by class', kind: 'bars', unit: 'bytes', series: [{ label: 'STANDARD' }], points: [] },
    ],
    runs: [
      { figure: 'storage.snapshot', queryTitle: 'Storage posture', runId: RUN, status: 'succeeded', sqlSha256: 'a'.repeat(64), resultSha256: 'b'.repeat(64) },
      { figure: 'trails.coverage', queryTitle: 'Trail coverage', runId: null, status: 'missing', sqlSha256: null, resultSha256: null },
    ],
  };
}

/** The page content streams, inflated. */
function contentStreams(pdf: Buffer): string {
  const text = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of text.matchAll(/\/FlateDecode[^]*?>>\s*stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = text.indexOf('endstream', start);
    try {
      out.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // not a content stream we can read (fonts are also streams)
    }
  }
  return out.join('\n');
}

let pdf: Buffer;
beforeAll(async () => {
  pdf = await renderPostureSummary(postureDto());
});
afterAll(removeTmpDir);

describe('the posture summary', () => {
  it('has a cover, the scope, headlines with their status, key figures, charts and the runs behind them', () => {
    const pages = pagesOf(pdf).map(flat);
    expect(pages[0]).toContain('POSTURE SUMMARY');
    const all = pages.join('\n');
    for (const text of ['Scope', 'Log integrity', 'Storage tiers — OK', 'KMS Decrypt denied — Needs attention', 'Trail health — Not known', 'Archive size 61.4 TB (412,883,120 object versions)', 'Storage by class', 'Requests to images per day', 'HealthImaging', 'Where the figures come from', RUN, 'No data in this window.']) {
      expect(all).toContain(text);
    }
    pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`));
    expect(fontsOf(pdf).every((f) => f.embedded)).toBe(true);
  });

  it('draws its charts as vector graphics: rectangles and paths, no image', () => {
    expect(execFileSync('pdfimages', ['-list', writePdf(pdf)], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(2); // the header lines only
    const ops = contentStreams(pdf);
    expect((ops.match(/ re\b/g) ?? []).length).toBeGreaterThan(2 * days.length);
  });

  it('signs like every report: pdfsig finds it valid and wholly signed', async () => {
    const signer = createLocalSigner({ dir: path.join(tmpDir, 'posture-signer'), installation: 'posture' });
    const signed = await signPdf(pdf, signer, { reason: 'Custos posture summary' });
    expect(readPdfSignature(signed).valid).toBe(true);
    const report = pdfsig(writePdf(signed, 'posture-signed.pdf'), nssDatabase(path.join(tmpDir, 'nss-posture')));
    expect(report).toContain('- Signature Validation: Signature is Valid.');
    expect(report).toContain('- Total document signed');
  });

  it('steps its value axis in round numbers', () => {
    expect([niceStep(977), niceStep(10), niceStep(3), niceStep(0)]).toEqual([200, 2, 1, 1]);
  });
});
