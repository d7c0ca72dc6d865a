// The deterministic demo/bench log lake: CloudTrail log and digest files, S3 server access logs,
// S3 Inventory reports and the study catalog, laid out exactly as AWS writes them, plus truth.json
// with the answers the saved queries must find. Same options and seed → byte-identical output.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeArchive } from './archive';
import { writeAwsApiRecords } from './aws-api';
import { buildTruth } from './build-truth';
import { writeCatalog } from './catalog';
import type { DayResult } from './day-files';
import { startDayRunner } from './day-pool';
import { DigestWriter } from './digests';
import { writeInventory } from './inventory';
import { resolveOptions, type GenerateOptions } from './options';
import { MARKER, prepareOutDir, PUBLIC_KEYS_DIR, TRUTH_FILE } from './out-dir';
import { listPublicKeysResponse, regionKey } from './rsa-keys';
import { addCast, planScenario } from './scenario';
import { DAY } from './time';
import { buildWorld, hashPatients, REGIONS } from './world';

export type { GenerateOptions } from './options';
export type { Truth } from './truth';

export type GenerateSummary = {
  outDir: string;
  window: { from: string; to: string };
  /** CloudTrail records written (a duplicated record counts each time it was delivered). */
  events: number;
  files: number;
  bytes: number;
  truthPath: string;
};

export async function generateLake(opts: GenerateOptions): Promise<GenerateSummary> {
  const o = resolveOptions(opts);
  const outDir = path.resolve(o.outDir);
  await prepareOutDir(outDir, o.layout, {
    generator: 'custos lake generator',
    seed: o.seed,
    options: { days: o.days, eventsPerDay: o.eventsPerDay, end: o.end },
  });
  let files = 1;
  let bytes = 0;
  const put = async (key: string, text: string) => {
    const file = path.join(outDir, key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    files++;
    bytes += Buffer.byteLength(text);
  };

  const world = buildWorld(o);
  const cast = addCast(world);
  hashPatients(world, o.catalogKey);
  const plan = planScenario(world, cast);

  for (const region of REGIONS) {
    const response = listPublicKeysResponse(regionKey(o.seed, region), o.startMs - 30 * DAY, o.endMs + 365 * DAY);
    await put(`${PUBLIC_KEYS_DIR}/${region}.json`, `${JSON.stringify(response, null, 2)}\n`);
  }

  const runner = await startDayRunner(o.workers, world, plan, outDir);
  const digests = new DigestWriter(world, plan, outDir);
  const dayResults: DayResult[] = [];
  let events = 0;
  try {
    const pending = Array.from({ length: o.days + 1 }, (_, day) => runner.run(day));
    for (const p of pending) p.catch(() => undefined);
    for (const [day, p] of pending.entries()) {
      const result = await p;
      dayResults.push(result);
      files += result.files;
      bytes += result.bytes;
      events += result.records;
      digests.add(result.ctFiles);
      result.ctFiles = [];
      // The day after the window only holds late deliveries: its digests stop once they are covered.
      if (day < o.days) {
        await digests.flushUntil(o.startMs + (day + 1) * DAY);
        opts.onProgress?.({ day: new Date(o.startMs + day * DAY).toISOString().slice(0, 10), eventsWritten: events });
      }
    }
    await digests.finish();
  } finally {
    await runner.close();
  }
  files += digests.files;
  bytes += digests.bytes;
  // After the day writers have finished, so DuckDB's memory and theirs are never needed at once.
  const catalog = await writeCatalog(world, outDir, o.catalogKey);
  const inventory = await writeInventory(world, outDir);
  files += 1 + inventory.files;
  bytes += catalog.bytes + inventory.bytes;
  if (o.archive) {
    const archive = await writeArchive(world, outDir);
    files += archive.files;
    bytes += archive.bytes;
  }

  const awsApi = await writeAwsApiRecords(world, plan, outDir);
  files += awsApi.files;
  bytes += awsApi.bytes;

  const truth = buildTruth({ world, plan, cast, days: dayResults, inventory });
  await put(TRUTH_FILE, `${JSON.stringify(truth, null, 2)}\n`);
  bytes += (await fs.stat(path.join(outDir, MARKER))).size;
  return {
    outDir,
    window: { from: o.from, to: o.end },
    events,
    files,
    bytes,
    truthPath: path.join(outDir, TRUTH_FILE),
  };
}
