// The bench result as tables for a terminal.
import { table } from '@/lib/cli/io';
import type { BenchResult } from './run-bench';

const n = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '–' : `${n(bytes / 1024 / 1024, 1)} MiB`);

export function benchReportText(r: BenchResult): string {
  const out: string[] = [];
  const g = r.generate;
  out.push(
    `Lake: ${r.options.days} days × ${n(r.options.eventsPerDay)} events/day, seed ${r.options.seed} — ${n(r.events)} CloudTrail events`,
    `Machine: ${r.machine.cpus} CPUs, ${mb(r.machine.memoryBytes)}, Node ${r.machine.node}, load average ${r.machine.loadAverage.start} → ${r.machine.loadAverage.end}`,
    '',
    table(
      ['Step', 'Seconds', 'Rate', 'Detail'],
      [
        [
          `generate${g.reused ? ' (reused lake)' : ''}`,
          n(g.seconds, 1),
          g.eventsPerSecond === null ? '–' : `${n(g.eventsPerSecond)} events/s`,
          `${n(g.files)} files, ${mb(g.bytes)}, peak RSS ${mb(g.peakRssBytes)}`,
        ],
        [
          'compact (from raw)',
          n(r.compact.seconds, 1),
          `${n(r.compact.megabytesPerSecond, 2)} MB/s`,
          `${n(r.compact.megabytes, 1)} MB text, ${n(r.compact.records)} records, ${n(r.compact.partitions)} partitions → ${mb(r.compact.parquetBytes)} Parquet`,
        ],
        [
          'access index',
          n(r.accessIndex.seconds, 1),
          `${n(r.accessIndex.days)} days (${n(r.accessIndex.months)} months merged)`,
          `${n(r.accessIndex.rows)} accesses → ${mb(r.accessIndex.bytes)} Parquet in ${n(r.accessIndex.files)} files, through ${r.accessIndex.through ?? '–'}`,
        ],
        [
          `reference lake (${r.reference.days} days)${r.reference.sameLake ? ' = this lake' : ''}`,
          n(r.reference.compact.seconds, 1),
          `${n(r.reference.compact.megabytesPerSecond, 2)} MB/s`,
          `${n(r.reference.events)} events; compaction`,
        ],
      ],
    ),
    '',
    table(
      ['Query', 'Window', 'Median ms', 'Runs', 'Rows', 'Scanned', 'Files', 'Events/s'],
      Object.entries(r.queries).map(([id, q]) => [
        id,
        q.from ? `${q.from}…${q.to}` : '–',
        n(q.ms, 1),
        String(q.runsMs.length),
        n(q.rows),
        mb(q.bytesScanned),
        n(q.files),
        q.eventsInScope > 0 ? n(q.eventsPerSecond) : '–',
      ]),
    ),
    '',
  );
  const c = r.compaction;
  out.push(`Compaction: ${n(c.mbPerSecond, 2)} MB/s of uncompressed JSON/text, peak RSS ${mb(c.peakRssBytes)}`);
  if (c.readJson) {
    const j = c.readJson;
    out.push(
      `  DuckDB read_json (CloudTrail, declared columns): ${n(j.mbPerSecond, 2)} MB/s, ${n(j.megabytes, 1)} MB in ${n(j.seconds, 1)} s; ` +
        (j.identical ? 'rows identical' : `rows differ (${n(j.rowsOnlyInReadJson)} only in read_json, ${n(j.rowsOnlyInCompacted)} only in compaction)`),
    );
  }
  if (r.baseline) {
    const b = r.baseline;
    out.push(
      `Baseline (plain Node, zlib + JSON.parse, ${b.window.from}…${b.window.to}): ${n(b.seconds, 1)} s over ${n(b.files)} files, ` +
        `${n(b.uncompressedBytes / 1e6, 0)} MB JSON, ${n(b.records)} records (${n(b.eventsPerSecond)} events/s), ${n(b.matches)} matching records`,
      `Custos patient-access-history:365d: ${n(b.custosMs, 1)} ms`,
    );
  }
  const h = r.reference.duckdbHandwritten;
  const ib = r.indexBytes;
  out.push(
    `Hand-written DuckDB over the compacted Parquet, full-year patient question: ${n(h.ms, 1)} ms (${n(h.rows)} rows, ${n(h.files)} files); ` +
      `Custos patient-access-history:365d ${n(r.queries['patient-access-history:365d']?.ms, 1)} ms`,
    `Bytes a full-year patient question reads: ${mb(ib.rawBytes)} raw log objects, ${mb(ib.indexBytes)} of the index ` +
      `(columns and row groups read; files ${mb(ib.indexFileBytes)}) + ${mb(ib.rawTailBytes)} raw days after it`,
  );
  for (const e of [r.export, r.exportWide]) {
    if (!e) continue;
    out.push(
      `CSV export (${e.shape === 'access' ? 'access rows' : 'whole CloudTrail records'}): ${n(e.rows)} rows × ${e.columns} columns, ${mb(e.csvBytes)} in ${n(e.seconds, 1)} s (${n(e.rowsPerSecond)} rows/s, verifying the SHA-256 first: ${n(e.verifySeconds, 1)} s); ` +
        `RSS ${mb(e.rssBeforeBytes)} before, peak ${mb(e.peakRssBytes)}`,
      `  storing the result first: ${n(e.store.seconds, 1)} s with the query (${n(e.store.endToEndRowsPerSecond)} rows/s); ` +
        `${n(e.store.writeSeconds, 1)} s in the result store (${n(e.store.rowsPerSecond)} rows/s), ${mb(e.store.bytes)} sealed`,
    );
  }
  out.push(
    `Evidence PDF: ${n(r.evidence.rows)} rows rendered and signed in ${n(r.evidence.pdf10kMs)} ms, ${n(r.evidence.pages)} pages, ${mb(r.evidence.pdf10kBytes)}; ` +
      `peak RSS +${mb(r.evidence.pdf10kRssDeltaBytes)} (goal < 150 MiB)`,
    `Posture: refresh of every figure ${n(r.posture.refreshMs)} ms over 30 days (goal < 10 s), ${n(r.posture.refresh365Ms)} ms over 365 days; ` +
      `cached dashboard ${n(r.posture.cachedRenderMs)} ms (goal < 1 s)`,
  );
  const goal = (met: boolean | null) => (met === null ? '' : met ? ' (goal met)' : ' (goal NOT met)');
  out.push(
    '',
    `pruningRatio  ${n(r.pruningRatio, 3)}  goal ${r.goals.pruningRatio.goal}${goal(r.goals.pruningRatio.met)}`,
    `baselineRatio ${r.baselineRatio === null ? 'skipped' : n(r.baselineRatio, 1)}  goal ${r.goals.baselineRatio.goal}${goal(r.goals.baselineRatio.met)}`,
    `indexBytesRatio ${n(r.indexBytesRatio, 1)}  goal ${r.goals.indexBytesRatio.goal}${goal(r.goals.indexBytesRatio.met)}`,
    `resultRowsPerSecond ${n(r.resultRowsPerSecond)}  exportRowsPerSecond ${n(r.exportRowsPerSecond)}  goal >= 200,000 each`,
    `Answering process: peak RSS ${mb(r.answeringPeakRssBytes)}; while the saved queries ran ${mb(r.queryPhaseRss.peakRssBytes)} ` +
      `(from ${mb(r.queryPhaseRss.rssBeforeBytes)}); goal < 1 GB in the query and export phases`,
    `Bench process (lakes, compaction, references): peak RSS ${mb(r.peakRssBytes)} (sampled every 50 ms: ${mb(r.peakRssSampledBytes)}); total ${n(r.seconds, 1)} s`,
  );
  return out.join('\n');
}
