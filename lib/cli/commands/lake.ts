import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { env, resetEnvCache } from '@/lib/config/env';
import { lakeLayout } from '@/lib/boot/adapter-config';
import { canaryRow } from '@/lib/lake/catalog-canary';
import { checkLake } from '@/lib/lake/check';
import { compactLake } from '@/lib/lake/compact';
import { generateLake } from '@/lib/lake/generate';
import { catalogKey } from '@/lib/phi';
import { UsageError, err, out } from '../io';

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`--${name} must be a positive whole number`);
  return Number(value);
}

function lakeLocation(dir: string | undefined) {
  resetEnvCache();
  const config = env();
  return { dir: path.resolve(dir ?? config.lakeDir), layout: lakeLayout(config) };
}

export async function lakeGenerate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'events-per-day': { type: 'string' },
      end: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.end !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.end)) throw new UsageError('--end must be a date YYYY-MM-DD');
  const lake = lakeLocation(values.out);
  const seedText = values.seed;
  if (seedText !== undefined && !/^\d+$/.test(seedText)) throw new UsageError('--seed must be a whole number');
  const started = performance.now();
  const summary = await generateLake({
    outDir: lake.dir,
    layout: lake.layout,
    days: positiveInt('days', values.days),
    seed: seedText === undefined ? undefined : Number(seedText),
    eventsPerDay: positiveInt('events-per-day', values['events-per-day']),
    end: values.end,
    catalogKey: env().CUSTOS_CATALOG_HMAC_KEY,
    onProgress: values.json ? undefined : (p) => process.stderr.write(`\r${p.day}: ${p.eventsWritten.toLocaleString('en-US')} events`),
  });
  if (!values.json) process.stderr.write('\n');
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

export async function lakeCheck(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { lake: { type: 'string' } } });
  const lake = lakeLocation(values.lake);
  if (!fs.existsSync(lake.dir)) throw new UsageError(`The lake directory ${lake.dir} does not exist.`);
  const report = await checkLake(lake);
  out(JSON.stringify(report, null, 2));
  return 0;
}

export async function lakeCompact(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { lake: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const lake = lakeLocation(values.lake);
  if (!fs.existsSync(lake.dir)) throw new UsageError(`The lake directory ${lake.dir} does not exist.`);
  const summary = await compactLake(lake, {});
  if (values.json) out(JSON.stringify(summary, null, 2));
  else err(`Compacted: ${JSON.stringify(summary)}`);
  return 0;
}

/** `lake canary`: the catalog row the ingest pipeline writes so the portal can check its key at start. */
export async function lakeCanary(argv: string[]): Promise<number> {
  parseArgs({ args: argv, strict: true, options: {} });
  resetEnvCache();
  const row = canaryRow(catalogKey(env()));
  out(JSON.stringify(row, null, 2));
  return 0;
}
