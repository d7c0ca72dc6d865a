import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { env, isDemoLake, resetEnvCache } from '@/lib/config/env';
import { lakeLayout } from '@/lib/boot/adapter-config';
import { DomainError } from '@/lib/errors';
import { canaryRow } from '@/lib/lake/catalog-canary';
import { checkLake } from '@/lib/lake/check';
import { compactLake } from '@/lib/lake/compact';
import { refreshLocalAccessIndex } from '@/lib/boot/local-access-index';
import { generateLake } from '@/lib/lake/generate';
import { TRUTH_FILE } from '@/lib/lake/generate/out-dir';
import type { Truth } from '@/lib/lake/generate/truth';
import { catalogKey } from '@/lib/phi';
import type { Parsed } from '../args';
import { UsageError, err, out, table } from '../io';
import type { LAKE_CANARY, LAKE_CHECK, LAKE_COMPACT, LAKE_GENERATE, LAKE_PATIENTS } from '../specs';

function lakeLocation(dir: string | undefined) {
  resetEnvCache();
  const config = env();
  return { dir: path.resolve(dir ?? config.lakeDir), layout: lakeLayout(config) };
}

function existingLake(dir: string | undefined) {
  const lake = lakeLocation(dir);
  if (!fs.existsSync(lake.dir)) throw new UsageError(`The lake directory ${lake.dir} does not exist.`);
  return lake;
}

export async function lakeGenerate({ values }: Parsed<typeof LAKE_GENERATE>): Promise<number> {
  const lake = lakeLocation(values.out);
  if (fs.existsSync(lake.dir) && fs.readdirSync(lake.dir).length > 0 && !isDemoLake(lake.dir)) {
    throw new UsageError(`${lake.dir} is not empty and holds no generated lake: choose a new or empty directory with --out`);
  }
  const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  const live = !values.json && process.stderr.isTTY;
  const started = performance.now();
  const summary = await generateLake({
    outDir: lake.dir,
    layout: lake.layout,
    days: number(values.days),
    seed: number(values.seed),
    eventsPerDay: number(values['events-per-day']),
    end: values.end,
    catalogKey: env().CUSTOS_CATALOG_HMAC_KEY,
    onProgress: live ? (p) => process.stderr.write(`\r${p.day}: ${p.eventsWritten.toLocaleString('en-US')} events`) : undefined,
  });
  if (live) process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  if (values.json) out(JSON.stringify({ ...summary, seconds: Number(seconds.toFixed(1)) }, null, 2));
  else {
    out(
      `Generated ${summary.events.toLocaleString('en-US')} CloudTrail events (${summary.window.from} to ${summary.window.to}) ` +
        `in ${summary.files.toLocaleString('en-US')} files, ${(summary.bytes / 1024 / 1024).toFixed(1)} MB, ${seconds.toFixed(1)} s.`,
    );
    out(`Lake: ${summary.outDir}\nAnswers: ${summary.truthPath}`);
  }
  return 0;
}

export async function lakeCheck({ values }: Parsed<typeof LAKE_CHECK>): Promise<number> {
  const report = await checkLake(existingLake(values.lake));
  out(JSON.stringify(report, null, 2));
  return 0;
}

export async function lakeCompact({ values }: Parsed<typeof LAKE_COMPACT>): Promise<number> {
  const lake = existingLake(values.lake);
  const compacted = await compactLake(lake, {});
  const summary = { ...compacted, accessIndex: await refreshLocalAccessIndex(lake) };
  if (values.json) out(JSON.stringify(summary, null, 2));
  else err(`Compacted: ${JSON.stringify(summary)}`);
  return 0;
}

/** `lake canary`: the catalog row the ingest pipeline writes so the portal can check its key at start. */
export async function lakeCanary(_: Parsed<typeof LAKE_CANARY>): Promise<number> {
  resetEnvCache();
  out(JSON.stringify(canaryRow(catalogKey(env())), null, 2));
  return 0;
}

/** `lake patients`: the demo patients' MRNs, to try the Patients page. Fictitious, and only ever read from the demo lake. */
export async function lakePatients({ values }: Parsed<typeof LAKE_PATIENTS>): Promise<number> {
  const lake = existingLake(values.lake);
  if (!isDemoLake(lake.dir)) {
    throw new DomainError('precondition', `${lake.dir} is not the generated demo lake (it has no _custos/generation.json): only the demo lake's patients are listed.`);
  }
  const truthPath = path.join(lake.dir, TRUTH_FILE);
  if (!fs.existsSync(truthPath)) throw new DomainError('precondition', `The demo lake in ${lake.dir} has no ${TRUTH_FILE}: generate it again.`);
  const truth = JSON.parse(fs.readFileSync(truthPath, 'utf8')) as Truth;
  const patients = truth.patients.map((p) => ({ kind: p.kind, mrn: p.mrn, studies: p.studies.length, accesses: p.accesses.length }));
  if (values.json) out(JSON.stringify({ lake: lake.dir, window: truth.window, patients }, null, 2));
  else {
    out(table(['kind', 'mrn', 'studies', 'accesses'], patients.map((p) => [p.kind, p.mrn, String(p.studies), String(p.accesses)])));
    out(`\nDemo lake ${lake.dir}, ${truth.window.from} to ${truth.window.to}.`);
  }
  return 0;
}
