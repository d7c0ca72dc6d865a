// Deterministic result rows for the result-store tests: every kind of cell an engine returns, and
// text that tries JSON, CSV and UTF-8 (quotes, backslashes, newlines, tabs, emoji, combining marks).
import type { Cell, EngineColumn } from '@/lib/engine/port';
import { seeded } from '../../support/seeded';

export const MIXED_COLUMNS: EngineColumn[] = [
  { name: 'id', type: 'bigint' },
  { name: 'name', type: 'varchar' },
  { name: 'score', type: 'double' },
  { name: 'ok', type: 'boolean' },
  { name: 'tags', type: 'array(varchar)' },
  { name: 'at', type: 'timestamp' },
];

const WORDS = [
  'alice', 'Bob', 'émile', '漢字', 'שלום', 'e\u0301', '😀', 'a"b', 'back\\slash', 'line\nbreak', 'tab\there', 'comma,', '=SUM(A1)', '-', '-5', '', ' ',
  'arn:aws:sts::123456789012:assumed-role/Viewer/alice@example.org', '\u0000nul', '\u2028sep',
];

export function mixedRows(count: number, seed = 1): Cell[][] {
  const next = seeded(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const rows: Cell[][] = [];
  for (let i = 0; i < count; i++) {
    const id: Cell = next() < 0.05 ? null : next() < 0.1 ? (9007199254740993n + BigInt(Math.floor(next() * 1000))).toString() : Math.floor(next() * 2000) - 1000;
    const name: Cell = next() < 0.1 ? null : `${pick(WORDS)}${next() < 0.5 ? pick(WORDS) : ''}${Math.floor(next() * 50)}`;
    const score: Cell = next() < 0.1 ? null : pick([0, 1.5, -2.25, 1e21, 5e-324, 123456.789, Math.floor(next() * 100) / 7]);
    const ok: Cell = next() < 0.1 ? null : next() < 0.5;
    const tags: Cell = next() < 0.3 ? null : Array.from({ length: Math.floor(next() * 3) }, () => pick(WORDS));
    const at: Cell = new Date(Date.UTC(2026, 9, 1) + Math.floor(next() * 30 * 86_400_000)).toISOString();
    rows.push([id, name, score, ok, tags, at]);
  }
  return rows;
}

export const ACCESS_COLUMNS: EngineColumn[] = [
  'event_time', 'principal', 'federated_user', 'role', 'action', 'source', 'study_instance_uid', 'accession_number', 'modality', 'source_ip', 'user_agent',
  'outcome', 'sources', 'request_id', 'event_id',
].map((name) => ({ name, type: 'varchar' }));

const ACTIONS = ['GetImageSetMetadata', 'GetImageFrame', 'GetObject', 'SearchImageSets', 'GetDICOMInstance'];

/** Rows shaped like patient-access-history's: 15 text columns, about 450 bytes each as JSON. */
export function accessRow(i: number): Cell[] {
  const user = `user${i % 977}@hospital${i % 14}.example.org`;
  return [
    new Date(Date.UTC(2026, 9, 2) + i * 997).toISOString().replace(/\.\d+Z$/, 'Z'),
    `arn:aws:sts::123456789012:assumed-role/RadiologyViewer-${i % 31}/${user}`,
    user,
    `arn:aws:iam::123456789012:role/RadiologyViewer-${i % 31}`,
    ACTIONS[i % ACTIONS.length]!,
    i % 3 ? 'healthimaging' : 's3',
    `1.2.840.113619.2.55.3.${(i * 7919) % 100000000}.${i % 1000}.${i}`,
    `ACC${(i * 31) % 10000000}`,
    ['CT', 'MR', 'US', 'CR', 'DX'][i % 5]!,
    `10.${i % 255}.${(i >> 8) % 255}.${(i >> 3) % 255}`,
    'aws-sdk-java/2.20.1 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.6+10-LTS',
    i % 50 ? 'success' : 'AccessDenied',
    i % 2 ? 'cloudtrail,kms,s3_access_log' : 'cloudtrail',
    `${((i * 2654435761) >>> 0).toString(16).toUpperCase()}E9A7${i.toString(16).toUpperCase()}`,
    `${((i * 40503) >>> 0).toString(16)}-5c1f-4a9e-8b2d-${(i * 97).toString(16).padStart(12, '0')}`,
  ];
}
