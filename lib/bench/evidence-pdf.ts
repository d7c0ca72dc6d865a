// The evidence figure: a 10,000-row query-run report built whole and signed once (as the portal
// does), its wall time and the peak RSS increase while it is made. The signer is a fresh embedded
// default in a temporary folder; its key is made before the clock starts.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderQueryRunReport } from '@/lib/evidence/render';
import { syntheticQueryRunDto } from '@/lib/evidence/render/measure';
import { createLocalSigner } from '@/lib/signer/local-p12';
import { signPdf } from '@/lib/signer/sign-pdf';
import { round } from './figures';

export type EvidenceFigures = {
  rows: number;
  /** Render and sign, wall time. */
  pdf10kMs: number;
  /** Peak RSS while rendering and signing, above the RSS just before (sampled every 250 rows, then after signing). */
  pdf10kRssDeltaBytes: number;
  pdf10kBytes: number;
  pages: number;
};

export async function measureEvidencePdf(rows = 10_000): Promise<EvidenceFigures> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'custos-bench-signer-'));
  try {
    const signer = createLocalSigner({ dir: path.join(dir, 'signer'), installation: 'bench' });
    const identity = await signer.identity();
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage.rss();
    let peak = before;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage.rss());
    };
    const started = performance.now();
    const dto = syntheticQueryRunDto(rows, (i) => i % 250 === 0 && sample());
    const unsigned = await renderQueryRunReport({ ...dto, signer: { subject: 'CN=Custos evidence signer', fingerprint: identity.fingerprint } });
    sample();
    const pdf = await signPdf(unsigned, signer, { reason: 'Custos benchmark' }, { signingTime: new Date(dto.generatedAt) });
    sample();
    const ms = performance.now() - started;
    const pages = Number(/\/Type\s*\/Pages[^>]*?\/Count\s+(\d+)/.exec(pdf.toString('latin1'))?.[1] ?? 0);
    return { rows, pdf10kMs: round(ms, 0), pdf10kRssDeltaBytes: peak - before, pdf10kBytes: pdf.length, pages };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
