import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantedPatient } from '@/lib/bench/bench-params';
import { BENCH_USAGE, BenchUsageError, DEFAULT_DAYS, DEFAULT_EVENTS_PER_DAY, parseBenchArgs, resolveBenchOptions } from '@/lib/bench/options';
import { benchReportText } from '@/lib/bench/report-text';
import { runBench, type BenchResult } from '@/lib/bench/run-bench';
import type { Truth } from '@/lib/lake/generate';
import { listQueries } from '@/lib/queries/registry';

// The generator's smallest lake: 5 days at 400 events/day; the measured lake is one day longer so
// the reference lake is a separate generation.
const DAYS = 6;
const EVENTS_PER_DAY = 400;
const EXPORT_ROWS = 1000;

const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('npm run bench on a tiny lake', () => {
  let root: string;
  let result: BenchResult;
  let truth: Truth;
  const lines: string[] = [];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-test-'));
    const options = resolveBenchOptions({
      days: DAYS,
      eventsPerDay: EVENTS_PER_DAY,
      seed: 3,
      dir: path.join(root, 'lake'),
      referenceDir: path.join(root, 'reference'),
      exportRows: EXPORT_ROWS,
      readJson: true,
    });
    result = await runBench(options, (line) => lines.push(line));
    truth = JSON.parse(fs.readFileSync(path.join(root, 'lake', 'truth.json'), 'utf8')) as Truth;
  });
  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports every required figure, with positive ratios', () => {
    for (const key of ['events', 'eventsPerSecond', 'compactMBps', 'peakRssBytes', 'answeringPeakRssBytes', 'pruningRatio', 'baselineRatio'] as const) {
      expect(positive(result[key]), key).toBe(true);
    }
    expect(result.generate.reused).toBe(false);
    expect(positive(result.generate.seconds) && positive(result.generate.eventsPerSecond)).toBe(true);
    expect(result.events).toBe(result.generate.events);
    expect(positive(result.compact.seconds) && positive(result.compact.megabytes) && positive(result.compact.records)).toBe(true);
    expect(result.compact.records).toBeGreaterThan(result.events);
    expect(result.reference).toMatchObject({ days: 5, sameLake: false });
    expect(result.peakRssBytes).toBeGreaterThanOrEqual(result.peakRssSampledBytes);
    expect(result.queryPhaseRss.peakRssBytes).toBeGreaterThanOrEqual(result.queryPhaseRss.rssBeforeBytes);
    // the queries and exports run in a process of their own, whose peak covers them
    expect(result.answeringPeakRssBytes).toBeGreaterThanOrEqual(result.queryPhaseRss.peakRssBytes);
    expect(result.answeringPeakRssBytes).toBeGreaterThanOrEqual(result.export!.peakRssBytes);
    expect(result.queryPhaseRss.rssBeforeBytes).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('reports compaction in MB/s of uncompressed text, and read_json over the same CloudTrail objects', () => {
    expect(result.compaction.mbPerSecond).toBe(result.compact.megabytesPerSecond);
    expect(result.compaction.mbPerSecond).toBe(result.compactMBps);
    expect(positive(result.compaction.mbPerSecond) && positive(result.compaction.peakRssBytes)).toBe(true);
    const readJson = result.compaction.readJson!;
    expect(positive(readJson.seconds) && positive(readJson.megabytes) && positive(readJson.mbPerSecond)).toBe(true);
    expect(readJson.megabytes).toBeLessThanOrEqual(result.compact.megabytes);
    expect(readJson.rows).toBe(result.events);
    expect(readJson.identical).toBe(readJson.rowsOnlyInReadJson === 0 && readJson.rowsOnlyInCompacted === 0);
    const text = benchReportText(result);
    expect(text).toMatch(/^Compaction: [\d,]+\.\d\d MB\/s of uncompressed JSON\/text/m);
    expect(text).toContain('DuckDB read_json');
  });

  it('times the patient query over 1, 30 and 365 days, the reference lake, and every saved query', () => {
    const ids = listQueries().map((q) => q.id);
    expect(Object.keys(result.queries).sort()).toEqual(
      [...ids, 'patient-access-history:1d', 'patient-access-history:30d', 'patient-access-history:365d', 'patient-access-history:1d:reference'].sort(),
    );
    for (const [id, q] of Object.entries(result.queries)) {
      expect(positive(q.ms), id).toBe(true);
      expect(q.runsMs.length, id).toBeGreaterThanOrEqual(1);
      expect(q.runsMs.length, id).toBeLessThanOrEqual(3);
      expect(Number.isInteger(q.rows) && q.bytesScanned > 0, id).toBe(true);
    }
    expect(result.queries['patient-access-history:1d']).toMatchObject({ from: truth.window.to, to: truth.window.to });
    expect(result.queries['patient-access-history:1d']!.runsMs).toHaveLength(3);
    // The lake is shorter than 30 days, so both long windows are the whole lake.
    expect(result.queries['patient-access-history:365d']).toMatchObject({ ...truth.window, eventsInScope: result.events });
    expect(result.pruningRatio).toBeCloseTo(result.queries['patient-access-history:1d']!.ms / result.queries['patient-access-history:1d:reference']!.ms, 2);
  });

  it('finds exactly the planted accesses, and the baseline sees each CloudTrail one', () => {
    const patient = plantedPatient(truth);
    expect(result.queries['patient-access-history:365d']!.rows).toBe(patient.accesses.length);
    const inTrail = new Set(patient.accesses.filter((a) => a.sources.includes('cloudtrail')).map((a) => a.eventId));
    expect(inTrail.size).toBeGreaterThan(0);
    expect(result.baseline!.matches).toBeGreaterThanOrEqual(inTrail.size);
    expect(result.baseline!.records).toBe(result.events);
    expect(result.baselineRatio).toBeCloseTo((result.baseline!.seconds * 1000) / result.queries['patient-access-history:365d']!.ms, 1);
    expect(result.queries['user-activity']!.rows).toBeGreaterThanOrEqual(truth.investigatedUser.accesses);
  });

  it('indexes the lake, compares the bytes a full-year patient question reads, and times it written by hand in DuckDB', () => {
    const patient = plantedPatient(truth);
    expect(result.accessIndex.days).toBeGreaterThan(0);
    expect(result.accessIndex.rows).toBeGreaterThan(patient.accesses.length);
    expect(result.accessIndex.bytes).toBeGreaterThan(0);
    expect(result.indexBytes.rawBytes).toBeGreaterThan(result.indexBytes.indexBytes);
    expect(result.indexBytes.indexBytes).toBeGreaterThan(0);
    expect(result.indexBytes.indexBytes).toBeLessThan(result.indexBytes.indexFileBytes);
    expect(result.indexBytesRatio).toBeCloseTo(result.indexBytes.rawBytes / (result.indexBytes.indexBytes + result.indexBytes.rawTailBytes), 0);
    expect(result.goals.indexBytesRatio.met).toBe(result.indexBytesRatio >= 50);
    const h = result.reference.duckdbHandwritten;
    expect(result.reference.duckdbHandwrittenMs).toBe(h.ms);
    expect(positive(h.ms) && h.runsMs.length === 3 && h.files > 0).toBe(true);
    // the hand-written query does not pair trail and access-log records: it sees each access at least once
    const s3Requests = new Set(patient.accesses.filter((a) => a.source === 's3').map((a) => a.requestId));
    expect(h.rows).toBeGreaterThanOrEqual(patient.accesses.filter((a) => a.source !== 's3').length + s3Requests.size);
    const text = benchReportText(result);
    expect(text).toMatch(/^indexBytesRatio [\d,.]+/m);
    expect(text).toContain('Hand-written DuckDB');
  });

  it('refreshes the posture dashboards over 30 and 365 days and renders the recorded one, and reports each time', () => {
    expect(positive(result.posture.refreshMs) && positive(result.posture.refresh365Ms) && positive(result.posture.cachedRenderMs)).toBe(true);
    expect(result.posture.window30.to).toBe(result.posture.window365.to);
  });

  it('makes a 10,000-row evidence PDF, rendered and signed, and reports its time and peak RSS increase', () => {
    expect(result.evidence).toMatchObject({ rows: 10_000 });
    expect(positive(result.evidence.pdf10kMs) && positive(result.evidence.pdf10kBytes) && result.evidence.pages > 100).toBe(true);
    expect(result.evidence.pdf10kRssDeltaBytes).toBeGreaterThanOrEqual(0);
    expect(benchReportText(result)).toMatch(/^Evidence PDF: 10,000 rows rendered and signed/m);
  });

  it('exports the stored result as CSV, every row, and samples memory around it', () => {
    const e = result.export!;
    expect(e.rows).toBe(Math.min(EXPORT_ROWS, result.accessIndex.rows));
    expect(e.rows).toBeGreaterThan(0);
    expect(positive(e.seconds) && positive(e.rowsPerSecond) && positive(e.store.rowsPerSecond)).toBe(true);
    expect(result.resultRowsPerSecond).toBe(e.store.rowsPerSecond);
    // the store's own time is part of the run's, so its rate is at least the end-to-end one
    expect(e.store.writeSeconds).toBeLessThanOrEqual(e.store.seconds);
    // the download verifies the stored rows before streaming them, within its time
    expect(e.verifySeconds).toBeGreaterThan(0);
    expect(e.verifySeconds).toBeLessThanOrEqual(e.seconds);
    expect(e.store.rowsPerSecond).toBeGreaterThanOrEqual(e.store.endToEndRowsPerSecond);
    expect(result.exportRowsPerSecond).toBe(e.rowsPerSecond);
    expect(e.csvBytes).toBeGreaterThan(e.rows * e.columns);
    expect(e.peakRssBytes).toBeGreaterThanOrEqual(e.rssBeforeBytes);
    // access rows (the index's 17 columns) by default, and whole CloudTrail records beside them
    expect(e).toMatchObject({ shape: 'access', columns: 17 });
    expect(result.exportWide).toMatchObject({ shape: 'cloudtrail', rows: EXPORT_ROWS });
    expect(result.exportWide!.columns).toBeGreaterThan(e.columns);
    expect(benchReportText(result)).toContain('CSV export (whole CloudTrail records)');
    expect(benchReportText(result)).toContain('pruningRatio');
  });

  it('reuses both lakes on the next run, and --json prints one JSON object on stdout', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        path.resolve('node_modules/tsx/dist/cli.mjs'),
        '--conditions=react-server',
        'test/bench/main.ts',
        ...['--days', String(DAYS), '--events-per-day', String(EVENTS_PER_DAY), '--seed', '3'],
        ...['--dir', path.join(root, 'lake'), '--reference-dir', path.join(root, 'reference')],
        '--json',
        '--skip-baseline',
        '--skip-export',
      ],
      { cwd: process.cwd(), maxBuffer: 16 * 1024 * 1024 },
    );
    const again = JSON.parse(stdout) as BenchResult;
    expect(stderr).toContain('Reusing the 6-day lake');
    expect(again.generate).toEqual({ ...result.generate, reused: true });
    expect(again.reference.generate.reused).toBe(true);
    expect(again.events).toBe(result.events);
    expect(again.compact.records).toBe(result.compact.records);
    expect(again.baselineRatio).toBeNull();
    expect(again.baseline).toBeNull();
    expect(again.export).toBeNull();
    expect(again.compaction.readJson).toBeNull();
    expect(positive(again.compaction.mbPerSecond)).toBe(true);
    expect(positive(again.pruningRatio)).toBe(true);
  });
});

describe('bench flags', () => {
  it('default to a one-year lake at 28,000 events a day under .bench/', () => {
    const o = parseBenchArgs([])!;
    expect(o).toMatchObject({ days: DEFAULT_DAYS, eventsPerDay: DEFAULT_EVENTS_PER_DAY, seed: 1, fresh: false, json: false, readJson: false, exportRows: 1_000_000 });
    expect(o.dir).toBe(path.join(process.cwd(), '.bench', 'lake-365d-28000'));
    expect(o.referenceDir).toBe(path.join(process.cwd(), '.bench', 'lake-5d-28000'));
  });

  it('read every option', () => {
    const o = parseBenchArgs(['--days', '7', '--events-per-day', '2000', '--seed', '9', '--dir', 'x', '--fresh', '--json', '--skip-baseline', '--skip-export', '--read-json'])!;
    expect(o).toMatchObject({ days: 7, eventsPerDay: 2000, seed: 9, dir: path.resolve('x'), fresh: true, json: true, skipBaseline: true, skipExport: true, readJson: true });
    expect(o.referenceDir).toBe(path.join(process.cwd(), '.bench', 'lake-5d-2000'));
  });

  it('--help asks for the usage text, which names every flag', () => {
    expect(parseBenchArgs(['--help'])).toBeNull();
    for (const flag of ['--days', '--events-per-day', '--seed', '--dir', '--reference-dir', '--export-rows', '--fresh', '--json', '--skip-baseline', '--skip-export', '--read-json']) {
      expect(BENCH_USAGE).toContain(flag);
    }
  });

  it('refuse values the generator cannot make, and unknown flags', () => {
    expect(() => parseBenchArgs(['--days', '1'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--events-per-day', '300'])).toThrow(/at least 400/);
    expect(() => parseBenchArgs(['--days', 'ten'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--turbo'])).toThrow(BenchUsageError);
  });
});
