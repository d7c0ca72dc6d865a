// What one bench run measures and where it keeps its lakes; `--flag value` parsing for main.ts.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MIN_DAYS, MIN_EVENTS_PER_DAY } from '@/lib/lake/generate/options';

export type BenchOptions = {
  days: number;
  eventsPerDay: number;
  seed: number;
  /** The lake measured; reused when it holds a generation with the same options. */
  dir: string;
  /** The smallest lake the generator makes (same events per day): the reference for partition pruning. */
  referenceDir: string;
  fresh: boolean;
  json: boolean;
  skipBaseline: boolean;
  skipExport: boolean;
  /** Also time DuckDB's read_json over the raw CloudTrail objects and compare its rows with compaction's. */
  readJson: boolean;
  /** Rows in the exported result (fewer when the lake holds fewer CloudTrail events). */
  exportRows: number;
};

export const DEFAULT_DAYS = 365;
export const DEFAULT_EVENTS_PER_DAY = 28_000;
export const DEFAULT_EXPORT_ROWS = 1_000_000;
/** The generator's shortest window: the reference lake for the 1-day query. */
export const REFERENCE_DAYS = MIN_DAYS;

export const BENCH_DIR = path.join(process.cwd(), '.bench');

export function defaultLakeDir(days: number, eventsPerDay: number): string {
  return path.join(BENCH_DIR, `lake-${days}d-${eventsPerDay}`);
}

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

function wholeNumber(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new BenchUsageError(`--${name} must be a whole number of at least ${min}`);
  return Number(text);
}

export function resolveBenchOptions(partial: Partial<BenchOptions> = {}): BenchOptions {
  const days = partial.days ?? DEFAULT_DAYS;
  const eventsPerDay = partial.eventsPerDay ?? DEFAULT_EVENTS_PER_DAY;
  if (days < MIN_DAYS) throw new BenchUsageError(`--days must be at least ${MIN_DAYS} (the generator's shortest window)`);
  if (eventsPerDay < MIN_EVENTS_PER_DAY) throw new BenchUsageError(`--events-per-day must be at least ${MIN_EVENTS_PER_DAY}`);
  return {
    days,
    eventsPerDay,
    seed: partial.seed ?? 1,
    dir: path.resolve(partial.dir ?? defaultLakeDir(days, eventsPerDay)),
    referenceDir: path.resolve(partial.referenceDir ?? defaultLakeDir(REFERENCE_DAYS, eventsPerDay)),
    fresh: partial.fresh ?? false,
    json: partial.json ?? false,
    skipBaseline: partial.skipBaseline ?? false,
    skipExport: partial.skipExport ?? false,
    readJson: partial.readJson ?? false,
    exportRows: partial.exportRows ?? DEFAULT_EXPORT_ROWS,
  };
}

export const BENCH_USAGE = `Usage: npm run bench [-- options]

Generates (or reuses) a lake, compacts it from raw, and times every saved query on it, the
1-day query on a 1-day reference lake (partition pruning), a plain Node scan of the raw files
(baseline) and a streamed CSV export. Progress goes to stderr; the report to stdout.

  --days N             window of the measured lake (default ${DEFAULT_DAYS})
  --events-per-day K   CloudTrail records per day (default ${DEFAULT_EVENTS_PER_DAY.toLocaleString('en-US')})
  --seed S             generator seed (default 1)
  --dir D              where the measured lake lives (default .bench/lake-<days>d-<events>)
  --reference-dir D    where the 1-day reference lake lives
  --export-rows N      rows in the export measurement (default ${DEFAULT_EXPORT_ROWS.toLocaleString('en-US')})
  --fresh              regenerate the lakes even when reusable
  --json               print exactly one JSON object
  --skip-baseline      do not time the plain Node scan
  --skip-export        do not time the export
  --read-json          also compact the CloudTrail objects with DuckDB's read_json (declared
                       columns) and compare speed and rows with compaction
  --help               print this text`;

/** Null when the arguments ask for the usage text. */
export function parseBenchArgs(argv: string[]): BenchOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        days: { type: 'string' },
        'events-per-day': { type: 'string' },
        seed: { type: 'string' },
        dir: { type: 'string' },
        'reference-dir': { type: 'string' },
        'export-rows': { type: 'string' },
        fresh: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'skip-baseline': { type: 'boolean', default: false },
        'skip-export': { type: 'boolean', default: false },
        'read-json': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  if (values.help) return null;
  return resolveBenchOptions({
    days: wholeNumber('days', values.days, DEFAULT_DAYS, 1),
    eventsPerDay: wholeNumber('events-per-day', values['events-per-day'], DEFAULT_EVENTS_PER_DAY, 1),
    seed: wholeNumber('seed', values.seed, 1, 0),
    exportRows: wholeNumber('export-rows', values['export-rows'], DEFAULT_EXPORT_ROWS, 1),
    ...(values.dir ? { dir: values.dir } : {}),
    ...(values['reference-dir'] ? { referenceDir: values['reference-dir'] } : {}),
    fresh: values.fresh,
    json: values.json,
    skipBaseline: values['skip-baseline'],
    skipExport: values['skip-export'],
    readJson: values['read-json'],
  });
}
