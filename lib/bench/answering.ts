// Custos answering — the patient question over 1, 30 and 365 days, every saved query, and the two
// CSV exports — measured in a process of its own, as a portal process answers. The bench's own
// work (generating and compacting lakes, the plain-Node scan, the hand-written DuckDB reference)
// stays in the parent, so its memory is not counted against Custos, nor Custos's against it.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { QueryEngine } from '@/lib/engine/port';
import type { Truth } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { findQuery, listQueries } from '@/lib/queries/registry';
import type { Log } from './bench-lake';
import { plantedPatient, savedQueryParams, windowEnding, type Window } from './bench-params';
import { measureCsvExport, type ExportFigures } from './csv-export';
import { cloudTrailRecordsByDay, recordsInScope, windowHolding } from './events-in-scope';
import { mib } from './figures';
import { maxRssBytes, RssSampler, type Watch } from './rss-sampler';
import { QUERY_MAX_DAYS, timeQuery, type QueryFigures } from './timed-query';

export const PATIENT_WINDOWS = [1, 30, 365] as const;
/** Saved queries faster than this on their first run are run twice more (median of 3); slower ones once. */
const REPEAT_BELOW_MS = 1_000;
/** The flags `npm start` runs Node with (package.json). */
const PORTAL_NODE_FLAGS = ['--conditions=react-server', '--heap-growing-percent=20'];

export type AnsweringInput = {
  lakeDir: string;
  resultDir: string;
  /** null: no export. */
  exportRows: number | null;
  /** Where the access-row export reads (the indexed part of the year). */
  accessExportScope: Window;
};

export type AnsweringFigures = {
  queries: Record<string, QueryFigures>;
  /** RSS while the patient question and the saved queries ran (sampled every 50 ms). */
  queryPhaseRss: { rssBeforeBytes: number; peakRssBytes: number };
  export: ExportFigures | null;
  exportWide: ExportFigures | null;
  /** The answering process's maxRSS: every phase, start-up included. */
  peakRssBytes: number;
};

export async function patientAccessHistory(engine: QueryEngine, truth: Truth, days: number, byDay: Map<string, number>): Promise<QueryFigures> {
  const query = findQuery('patient-access-history');
  if (!query) throw new Error('the saved query patient-access-history is missing');
  const window = windowEnding(truth, days);
  const params = { patient: plantedPatient(truth).mrn, from: window.from, to: window.to };
  return timeQuery(engine, query, params, { runs: 3 }, async (scope) => recordsInScope(byDay, scope));
}

/** The answering phases, in this process (the child's body; tests may call it directly). */
export async function answer(input: AnsweringInput, log: Log): Promise<AnsweringFigures> {
  const sampler = new RssSampler(50).start();
  const location = { dir: input.lakeDir, layout: DEFAULT_LAYOUT };
  const truth = JSON.parse(await fs.readFile(path.join(input.lakeDir, 'truth.json'), 'utf8')) as Truth;
  const byDay = await cloudTrailRecordsByDay(location);
  const engine = await createDuckDbEngine({ lake: location });
  try {
    const queries: Record<string, QueryFigures> = {};
    const watched: Watch = await sampler.watch(async () => {
      for (const days of PATIENT_WINDOWS) {
        log(`patient-access-history over ${days} day(s), 3 runs …`);
        queries[`patient-access-history:${days}d`] = await patientAccessHistory(engine, truth, days, byDay);
      }
      for (const query of listQueries()) {
        const params = savedQueryParams(query, truth, truth.window, QUERY_MAX_DAYS);
        log(`${query.id} …`);
        const timed = await sampler.watch(() =>
          timeQuery(engine, query, params, { runs: 3, extraRunsBelowMs: REPEAT_BELOW_MS }, async (scope) => recordsInScope(byDay, scope)),
        );
        queries[query.id] = timed.value;
        log(`  ${timed.value.ms} ms, ${timed.value.rows} rows; RSS ${mib(timed.rssBeforeBytes)} → ${mib(timed.peakRssBytes)} MiB`);
      }
    });
    let exported: ExportFigures | null = null;
    let exportedWide: ExportFigures | null = null;
    if (input.exportRows !== null) {
      const rows = input.exportRows;
      log(`CSV export of ${rows.toLocaleString('en-US')} access rows …`);
      exported = await measureCsvExport(engine, 'access', input.accessExportScope, rows, input.resultDir, sampler);
      log(`  ${exported.rows.toLocaleString('en-US')} rows in ${exported.seconds} s.`);
      log(`CSV export of ${rows.toLocaleString('en-US')} whole CloudTrail records …`);
      // only the last days that hold the rows: the engine need not scan (and buffer) a whole year for them
      exportedWide = await measureCsvExport(engine, 'cloudtrail', windowHolding(byDay, rows, truth.window), rows, input.resultDir, sampler);
      log(`  ${exportedWide.rows.toLocaleString('en-US')} rows in ${exportedWide.seconds} s.`);
    }
    return {
      queries,
      queryPhaseRss: { rssBeforeBytes: watched.rssBeforeBytes, peakRssBytes: watched.peakRssBytes },
      export: exported,
      exportWide: exportedWide,
      peakRssBytes: Math.max(maxRssBytes(), sampler.peakRssBytes),
    };
  } finally {
    sampler.stop();
    await engine.close();
  }
}

/** Runs `answer` in a new Node process started as `npm start` starts the portal; its progress lines go to `log`. */
export async function answerInChildProcess(input: AnsweringInput, log: Log): Promise<AnsweringFigures> {
  const root = process.cwd();
  const entry = path.join(root, 'lib', 'bench', 'answering-child.ts');
  const child = spawn(process.execPath, [...PORTAL_NODE_FLAGS, '--import', 'tsx', entry, JSON.stringify(input)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderrTail = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) log(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (pending) log(pending);
  if (code !== 0) throw new Error(`the answering process ended with code ${code}: ${stderrTail.trim().split('\n').slice(-5).join(' | ')}`);
  return JSON.parse(stdout) as AnsweringFigures;
}
