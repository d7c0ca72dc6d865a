import { renderQueryRunReport } from './query-run';
import type { Cell, ColumnDto, QueryRunReportDto } from './types';

// A synthetic query-run report as wide as the widest saved query (patient access history), for the
// benchmark: render time, peak RSS increase and size for a given number of rows.

const COLUMNS: [string, string, ColumnDto['kind']][] = [
  ['event_time', 'Event time', 'time'],
  ['principal', 'Principal', 'id'],
  ['federated_user', 'Federated user', 'text'],
  ['role', 'Role', 'text'],
  ['action', 'Action', 'text'],
  ['source', 'Source', 'text'],
  ['study_instance_uid', 'Study Instance UID', 'id'],
  ['accession_number', 'Accession number', 'id'],
  ['modality', 'Modality', 'text'],
  ['source_ip', 'Source IP', 'text'],
  ['user_agent', 'User agent', 'text'],
  ['outcome', 'Outcome', 'text'],
  ['sources', 'Seen by', 'text'],
  ['request_id', 'Request id', 'id'],
  ['bytes_sent', 'Bytes sent', 'bytes'],
];

const ACTIONS = ['GetImageSetMetadata', 'GetImageFrame', 'GetDICOMInstance', 'GetObject', 'SearchDICOMStudies'];
const PEOPLE = ['a.moreau@stvincent.example.org', 'j.okafor@stvincent.example.org', 'radiology-viewer', 'l.chen@northside.example.org'];

/** One synthetic access row; deterministic in `i`. */
export function syntheticAccessRow(i: number): Cell[] {
  const person = PEOPLE[i % PEOPLE.length]!;
  const time = new Date(Date.UTC(2026, 1, 1) + i * 97_000).toISOString().replace('.000Z', 'Z');
  const s3 = i % 3 === 0;
  return [
    time,
    `arn:aws:sts::111122223333:assumed-role/RadiologyReader/${person}`,
    person.includes('@') ? person : null,
    'RadiologyReader',
    s3 ? 'GetObject' : ACTIONS[i % ACTIONS.length]!,
    s3 ? 's3' : 'healthimaging',
    `1.2.840.113619.2.55.3.${604_688_119 + (i % 40)}.${(i * 7919) % 100_000}.1700${String(i % 1000).padStart(3, '0')}`,
    `ACC${String(2_400_000 + (i % 40)).padStart(9, '0')}`,
    ['CT', 'MR', 'MG', 'SM'][i % 4]!,
    `10.${20 + (i % 7)}.${i % 250}.${(i * 13) % 250}`,
    i % 5 === 0 ? 'aws-sdk-js/3.654.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.18.0 api/medical-imaging#3.654.0' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) viewer/4.2',
    i % 97 === 0 ? 'AccessDenied' : 'success',
    s3 ? ['cloudtrail', 'kms', 's3_access_log'] : ['cloudtrail'],
    `${(i * 2_654_435_761).toString(16).toUpperCase().padStart(16, '0')}`,
    s3 ? 1_048_576 + ((i * 4099) % 50_000_000) : null,
  ];
}

async function* rowsOf(count: number, onRow?: (i: number) => void): AsyncIterable<Cell[]> {
  for (let i = 0; i < count; i++) {
    onRow?.(i);
    yield syntheticAccessRow(i);
  }
}

/** A query-run report DTO with `rows` synthetic access rows (their hashes are placeholders). */
export function syntheticQueryRunDto(rows: number, onRow?: (i: number) => void): QueryRunReportDto {
  const hex = (c: string) => c.repeat(64);
  return {
    evidenceId: 'EV-2026-000042',
    kind: 'query-run',
    title: 'Patient access history',
    generatedAt: '2026-03-02T09:30:00Z',
    generatedBy: 'Privacy Officer (privacy officer)',
    portalVersion: '0.1.0',
    journalHead: { seq: 1234, hash: hex('a') },
    signer: null,
    scope: {
      sources: ['CloudTrail data events (HealthImaging, S3, KMS)', 'S3 server access logs', 'Study catalog'],
      window: { from: '2026-02-01', to: '2026-03-01' },
      coverage: null,
      integrity: { unavailable: 'synthetic report' },
      doesNotProve: ['Synthetic rows, for measurement only.'],
    },
    query: { id: 'patient-access-history', title: 'Patient access history', description: 'Synthetic.', limits: null, sqlSha256: hex('b') },
    parameters: [{ label: 'Patient MRN', value: 'P-7Q2M9X' }],
    run: {
      id: 'run-synthetic',
      engine: 'duckdb',
      executionId: null,
      bytesScanned: 123_456_789,
      filesScanned: 42,
      runBy: 'Privacy Officer',
      runAt: '2026-03-02T09:00:00Z',
      finishedAt: '2026-03-02T09:00:12Z',
      durationMs: 12_000,
      rowCount: rows,
      resultSha256: hex('c'),
    },
    columns: COLUMNS.map(([name, label, kind]) => ({ name, label, kind, description: label })),
    rows: rowsOf(rows, onRow),
  };
}

/** Wall and CPU time (ms), the peak RSS increase (bytes) and the PDF's size (bytes). */
export type RenderMeasurement = { ms: number; cpuMs: number; rssDeltaBytes: number; bytes: number };

/**
 * Renders a synthetic query-run report of `rows` rows. The RSS is sampled every 250 rows and at
 * the end; its baseline is taken after a collection when the process runs with --expose-gc.
 */
export async function measureRender(rows = 10_000): Promise<RenderMeasurement> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  const pdf = await renderQueryRunReport(syntheticQueryRunDto(rows, (i) => i % 250 === 0 && sample()));
  sample();
  const used = process.cpuUsage(cpu);
  return { ms: Math.round(performance.now() - started), cpuMs: Math.round((used.user + used.system) / 1000), rssDeltaBytes: peak - before, bytes: pdf.length };
}
