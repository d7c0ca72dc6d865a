// `npm run bench`: generate (or reuse) a large lake, compact it from raw, and time the saved
// queries, partition pruning against the smallest lake, a plain-Node baseline and a CSV export.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CATALOG_KEY, patientIdHash } from '@/lib/phi';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { QueryEngine } from '@/lib/engine/port';
import type { Truth } from '@/lib/lake/generate';
import { answerInChildProcess, patientAccessHistory } from './answering';
import { buildAccessIndex, handwrittenPatientQuery, indexBytesFor, type HandwrittenFigures, type IndexBuildFigures, type IndexBytesFigures } from './access-index';
import { baselineScan, cloudTrailFiles, type BaselineFigures } from './baseline-scan';
import { compactFromRaw, prepareLake, type CompactionFigures, type GenerationFigures, type Log } from './bench-lake';
import { plantedPatient, windowDays, windowEnding, type Window } from './bench-params';
import type { ExportFigures } from './csv-export';
import { measureEvidencePdf, type EvidenceFigures } from './evidence-pdf';
import { measurePosture, type PostureFigures } from './posture';
import { cloudTrailRecordsByDay } from './events-in-scope';
import { mib, round } from './figures';
import { REFERENCE_DAYS, type BenchOptions } from './options';
import { compareReadJson, type ReadJsonFigures } from './read-json-compare';
import { maxRssBytes, RssSampler } from './rss-sampler';
import type { QueryFigures } from './timed-query';

const n = (value: number) => value.toLocaleString('en-US');

export const PRUNING_GOAL = 1.5;
export const BASELINE_GOAL = 100;
/** Raw bytes ÷ index bytes of a full-year patient question. */
export const INDEX_BYTES_GOAL = 50;

export type BenchResult = {
  startedAt: string;
  seconds: number;
  /** Load averages (1 min) at the start and end: other work on the machine skews every timing. */
  machine: { cpus: number; memoryBytes: number; node: string; platform: string; loadAverage: { start: number; end: number } };
  options: { days: number; eventsPerDay: number; seed: number; dir: string; referenceDir: string };
  /** CloudTrail records in the lake. */
  events: number;
  /** CloudTrail records in the 365-day window ÷ the patient-access-history:365d median. */
  eventsPerSecond: number;
  compactMBps: number;
  /** Compaction of the measured lake from raw: MB/s of uncompressed JSON/text, and DuckDB's read_json for comparison (--read-json). */
  compaction: { mbPerSecond: number; peakRssBytes: number; readJson: ReadJsonFigures | null };
  /** The bench process's process.resourceUsage().maxRSS, in bytes (lakes, compaction, references; not the answering). */
  peakRssBytes: number;
  peakRssSampledBytes: number;
  /**
   * RSS of the answering process (answering.ts) while the patient question and the saved queries
   * ran (sampled; the exports have their own in `export` and `exportWide`).
   */
  queryPhaseRss: { rssBeforeBytes: number; peakRssBytes: number };
  /** The answering process's maxRSS: its start, the queries and the exports. */
  answeringPeakRssBytes: number;
  /** 1-day query on this lake ÷ the same on the reference lake (goal ≤ 1.5). */
  pruningRatio: number;
  /** Baseline seconds ÷ Custos patient-access-history:365d (goal ≥ 100); null with --skip-baseline. */
  baselineRatio: number | null;
  /** Building the access index of the measured lake from its compacted layer. */
  accessIndex: IndexBuildFigures;
  /** Bytes a full-year patient question reads from the raw log objects ÷ from the index (and the raw days after it); goal ≥ 50. */
  indexBytesRatio: number;
  indexBytes: IndexBytesFigures;
  /** Result store writes (rows/s) and the CSV download path (rows/s); null with --skip-export. */
  resultRowsPerSecond: number | null;
  exportRowsPerSecond: number | null;
  goals: {
    pruningRatio: { goal: string; met: boolean };
    baselineRatio: { goal: string; met: boolean | null };
    indexBytesRatio: { goal: string; met: boolean };
  };
  patient: { kind: string; studies: number; plantedAccesses: number };
  generate: GenerationFigures;
  compact: CompactionFigures;
  reference: {
    days: number;
    sameLake: boolean;
    generate: GenerationFigures;
    compact: CompactionFigures;
    events: number;
    /** The full-year patient question written by hand in DuckDB over the compacted Parquet (median of 3), and its figures. */
    duckdbHandwrittenMs: number;
    duckdbHandwritten: HandwrittenFigures;
  };
  queries: Record<string, QueryFigures>;
  baseline: (BaselineFigures & { window: Window; custosMs: number }) | null;
  /** The export of access rows (the shape the access queries return): resultRowsPerSecond and exportRowsPerSecond. */
  export: ExportFigures | null;
  /** The same export of whole CloudTrail records (32 columns), the widest rows a saved query's table holds. */
  exportWide: ExportFigures | null;
  /** A 10,000-row query-run report rendered and signed (synthetic rows): goal a peak RSS increase under 150 MB. */
  evidence: EvidenceFigures;
  posture: PostureFigures;
};

async function patientTarget(engine: QueryEngine, truth: Truth) {
  const patient = plantedPatient(truth);
  const execution = await engine.execute({
    sql: 'SELECT image_set_id, s3_key_prefix FROM study_catalog WHERE patient_id_hash = ?',
    binds: [{ type: 'varchar', value: patientIdHash(patient.mrn, DEMO_CATALOG_KEY) }],
    tables: ['study_catalog'],
    scope: null,
  });
  const imageSetIds = new Set(patient.studies.map((s) => s.imageSetId));
  const keyPrefixes = new Set<string>();
  for await (const batch of execution.batches) {
    for (const [imageSetId, prefix] of batch) {
      if (typeof imageSetId === 'string') imageSetIds.add(imageSetId);
      if (typeof prefix === 'string') keyPrefixes.add(prefix);
    }
  }
  await execution.stats();
  return { imageSetIds, bucket: truth.archiveBucket, keyPrefixes };
}

export async function runBench(options: BenchOptions, log: Log): Promise<BenchResult> {
  const startedAt = new Date();
  const loadAtStart = round(os.loadavg()[0] ?? 0, 2);
  const started = performance.now();
  const sampler = new RssSampler(50).start();
  const engines: QueryEngine[] = [];
  const resultDir = await fs.mkdtemp(path.join(os.tmpdir(), 'custos-bench-results-'));
  try {
    // first, while the process holds no lake or engine: the RSS increase is the report's own
    log('Evidence: a 10,000-row query-run report, rendered and signed …');
    const evidence = await measureEvidencePdf(10_000);
    log(`  ${n(evidence.pdf10kMs)} ms, peak RSS +${mib(evidence.pdf10kRssDeltaBytes)} MiB, ${n(evidence.pages)} pages.`);
    const main = await prepareLake(options, options.fresh, sampler, log);
    const compact = await compactFromRaw(main.location, sampler, log);
    log('Access index: every complete day indexed from the compacted layer …');
    const accessIndex = await buildAccessIndex(main.location);
    log(`  ${n(accessIndex.days)} days, ${n(accessIndex.rows)} accesses, ${mib(accessIndex.bytes)} MiB in ${accessIndex.seconds} s (through ${accessIndex.through}).`);
    let readJson: ReadJsonFigures | null = null;
    if (options.readJson) {
      log('CloudTrail through DuckDB read_json with declared columns, for comparison …');
      readJson = await compareReadJson(main.location);
      log(`  ${readJson.megabytes} MB in ${readJson.seconds} s (${readJson.mbPerSecond} MB/s); rows ${readJson.identical ? 'identical' : 'differ'}.`);
    }
    const byDay = await cloudTrailRecordsByDay(main.location);
    const events = [...byDay.values()].reduce((a, b) => a + b, 0);
    const patient = plantedPatient(main.truth);
    const yearWindow = windowEnding(main.truth, 365);

    log('Answering in a process of its own, started as npm start starts the portal …');
    const answered = await answerInChildProcess(
      {
        lakeDir: main.location.dir,
        resultDir,
        exportRows: options.skipExport ? null : options.exportRows,
        accessExportScope: accessIndex.through ? { from: yearWindow.from, to: accessIndex.through } : yearWindow,
      },
      (line) => log(`  ${line}`),
    );
    const queries = answered.queries;
    const oneDay = queries['patient-access-history:1d']!;
    const fullYear = queries['patient-access-history:365d']!;

    const engine = await createDuckDbEngine({ lake: main.location });
    engines.push(engine);
    const target = await patientTarget(engine, main.truth);
    log('The same full-year patient question written by hand in DuckDB over the compacted Parquet, 3 runs …');
    const handwritten = await handwrittenPatientQuery(main.location, yearWindow, target);
    log(`  ${n(handwritten.ms)} ms, ${n(handwritten.rows)} rows over ${n(handwritten.files)} files.`);
    const indexBytes = await indexBytesFor(main.location, yearWindow, target);
    log(`  bytes a full-year patient question reads: ${n(indexBytes.rawBytes)} raw, ${n(indexBytes.indexBytes + indexBytes.rawTailBytes)} with the index (${indexBytes.ratio}×).`);

    let reference: BenchResult['reference'];
    let referenceOneDay: QueryFigures;
    const handwrittenFields = { duckdbHandwrittenMs: handwritten.ms, duckdbHandwritten: handwritten };
    if (options.days === REFERENCE_DAYS) {
      referenceOneDay = oneDay;
      reference = { days: REFERENCE_DAYS, sameLake: true, generate: main.generate, compact, events, ...handwrittenFields };
    } else {
      const ref = await prepareLake(
        { dir: options.referenceDir, days: REFERENCE_DAYS, eventsPerDay: options.eventsPerDay, seed: options.seed },
        options.fresh,
        sampler,
        log,
      );
      const refCompact = await compactFromRaw(ref.location, sampler, log);
      await buildAccessIndex(ref.location);
      const refByDay = await cloudTrailRecordsByDay(ref.location);
      const refEngine = await createDuckDbEngine({ lake: ref.location });
      engines.push(refEngine);
      log(`patient-access-history over 1 day on the ${REFERENCE_DAYS}-day reference lake, 3 runs …`);
      referenceOneDay = await patientAccessHistory(refEngine, ref.truth, 1, refByDay);
      await refEngine.close();
      engines.pop();
      reference = {
        days: REFERENCE_DAYS,
        sameLake: false,
        generate: ref.generate,
        compact: refCompact,
        events: [...refByDay.values()].reduce((a, b) => a + b, 0),
        ...handwrittenFields,
      };
    }
    queries['patient-access-history:1d:reference'] = referenceOneDay;
    const pruningRatio = round(oneDay.ms / referenceOneDay.ms, 3);

    let baseline: BenchResult['baseline'] = null;
    if (!options.skipBaseline) {
      const window = yearWindow;
      const files = await cloudTrailFiles(main.location.dir, main.location.layout.cloudtrailPrefix, window);
      log(`Baseline: plain Node over ${files.length.toLocaleString('en-US')} raw CloudTrail files (${windowDays(window)} days) …`);
      const figures = await baselineScan(files, target);
      baseline = { ...figures, window, custosMs: fullYear.ms };
      log(`  ${figures.seconds} s, ${figures.records.toLocaleString('en-US')} records, ${figures.matches} matches.`);
    }
    const baselineRatio = baseline ? round((baseline.seconds * 1000) / fullYear.ms, 2) : null;

    log('Posture: every dashboard figure refreshed over 30 and 365 days, and the recorded dashboard rendered …');
    const posture = await measurePosture(main.location.dir, main.truth.window.to);
    log(`  refresh ${n(posture.refreshMs)} ms (30 days), ${n(posture.refresh365Ms)} ms (365 days); cached render ${n(posture.cachedRenderMs)} ms.`);
    const exported = answered.export;
    const exportedWide = answered.exportWide;

    sampler.stop();
    return {
      startedAt: startedAt.toISOString(),
      seconds: round((performance.now() - started) / 1000, 1),
      machine: {
        cpus: os.availableParallelism(),
        memoryBytes: os.totalmem(),
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        loadAverage: { start: loadAtStart, end: round(os.loadavg()[0] ?? 0, 2) },
      },
      options: { days: options.days, eventsPerDay: options.eventsPerDay, seed: options.seed, dir: options.dir, referenceDir: options.referenceDir },
      events,
      eventsPerSecond: fullYear.eventsPerSecond,
      compactMBps: compact.megabytesPerSecond,
      compaction: { mbPerSecond: compact.megabytesPerSecond, peakRssBytes: compact.peakRssBytes, readJson },
      peakRssBytes: Math.max(maxRssBytes(), sampler.peakRssBytes),
      peakRssSampledBytes: sampler.peakRssBytes,
      queryPhaseRss: answered.queryPhaseRss,
      answeringPeakRssBytes: answered.peakRssBytes,
      pruningRatio,
      baselineRatio,
      accessIndex,
      indexBytesRatio: indexBytes.ratio,
      indexBytes,
      resultRowsPerSecond: exported?.store.rowsPerSecond ?? null,
      exportRowsPerSecond: exported?.rowsPerSecond ?? null,
      goals: {
        pruningRatio: { goal: `<= ${PRUNING_GOAL}`, met: pruningRatio <= PRUNING_GOAL },
        baselineRatio: { goal: `>= ${BASELINE_GOAL}`, met: baselineRatio === null ? null : baselineRatio >= BASELINE_GOAL },
        indexBytesRatio: { goal: `>= ${INDEX_BYTES_GOAL}`, met: indexBytes.ratio >= INDEX_BYTES_GOAL },
      },
      patient: { kind: patient.kind, studies: patient.studies.length, plantedAccesses: patient.accesses.length },
      generate: main.generate,
      compact,
      reference,
      queries,
      baseline,
      export: exported,
      exportWide: exportedWide,
      evidence,
      posture,
    };
  } finally {
    sampler.stop();
    for (const e of engines) await e.close();
    await fs.rm(resultDir, { recursive: true, force: true });
  }
}
