// Engine result rows (canonical cells in column order) read as access records for the export.
// Columns are found by name, so any access query whose result has the documented columns fits.
import type { Cell } from '@/lib/engine/port';
import type { AccessRecord } from './audit-event';

const REQUIRED = ['event_time', 'action', 'source', 'outcome'] as const;
const OPTIONAL = [
  'principal',
  'federated_user',
  'role',
  'study_instance_uid',
  'accession_number',
  'modality',
  'source_ip',
  'user_agent',
  'sources',
  'request_id',
  'event_id',
  'patient_id_hash',
] as const;

type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

function textOf(cell: Cell | undefined, column: Column): string | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  throw new Error(`column ${column} holds a list, not a text value`);
}

/** A reader of rows with these columns; throws when a column the export needs is missing. */
export function accessRecordReader(columns: ReadonlyArray<{ name: string }> | readonly string[]): (row: Cell[]) => AccessRecord {
  const names = columns.map((c) => (typeof c === 'string' ? c : c.name));
  const index = new Map<Column, number>();
  for (const column of [...REQUIRED, ...OPTIONAL]) {
    const at = names.indexOf(column);
    if (at >= 0) index.set(column, at);
  }
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) throw new Error(`access rows lack the column(s) ${missing.join(', ')}`);

  const get = (row: Cell[], column: Column): string | null => {
    const at = index.get(column);
    return at === undefined ? null : textOf(row[at], column);
  };
  const required = (row: Cell[], column: (typeof REQUIRED)[number]): string => {
    const value = get(row, column);
    if (value === null) throw new Error(`access row has no ${column}`);
    return value;
  };

  return (row) => {
    const source = required(row, 'source');
    if (source !== 'healthimaging' && source !== 's3') throw new Error('access row has an unknown source');
    const record: AccessRecord = {
      event_time: required(row, 'event_time'),
      principal: get(row, 'principal'),
      federated_user: get(row, 'federated_user'),
      role: get(row, 'role'),
      action: required(row, 'action'),
      source,
      study_instance_uid: get(row, 'study_instance_uid'),
      accession_number: get(row, 'accession_number'),
      modality: get(row, 'modality'),
      source_ip: get(row, 'source_ip'),
      user_agent: get(row, 'user_agent'),
      outcome: required(row, 'outcome'),
      sources: get(row, 'sources') ?? '',
      request_id: get(row, 'request_id'),
      event_id: get(row, 'event_id'),
    };
    if (index.has('patient_id_hash')) record.patient_id_hash = get(row, 'patient_id_hash');
    return record;
  };
}

/** The access records of an engine execution's batches, one at a time. */
export async function* accessRecords(
  columns: ReadonlyArray<{ name: string }> | readonly string[],
  batches: AsyncIterable<Cell[][]> | Iterable<Cell[][]>,
): AsyncGenerator<AccessRecord> {
  const read = accessRecordReader(columns);
  for await (const batch of batches) for (const row of batch) yield read(row);
}
