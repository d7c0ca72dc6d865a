// S3 Inventory reports: the hive/dt=…/symlink.txt entry point lists the data files, the sibling
// <timestamp>/manifest.json gives their format, column order (CSV has no header) and MD5. CSV
// values are quoted, keys URL-encoded (form encoding: `+` is a space), empty fields are NULL as in
// the Parquet and ORC flavours of the same report.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { tableDefinition, type HiveType } from '../schema';
import { lineBatches } from './line-batches';
import { errorMessage, wholeFileRejection, type Row, type SourceBatch, type SourceInput } from './types';


export type InventoryFormat = 'CSV' | 'Parquet' | 'ORC';

export type InventoryManifest = {
  sourceBucket: string;
  destinationBucket: string;
  fileFormat: InventoryFormat;
  fileSchema: string;
  files: { key: string; size: number; MD5checksum?: string }[];
};

export function parseInventoryManifest(text: string): InventoryManifest {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const format = String(doc.fileFormat ?? '').toUpperCase();
  const fileFormat: InventoryFormat | null =
    format === 'CSV' ? 'CSV' : format === 'PARQUET' ? 'Parquet' : format === 'ORC' ? 'ORC' : null;
  if (!fileFormat) throw new Error(`unknown inventory fileFormat ${JSON.stringify(doc.fileFormat)}`);
  if (!Array.isArray(doc.files)) throw new Error('manifest has no "files" list');
  const files = doc.files.map((f: unknown) => {
    const entry = f as Record<string, unknown>;
    if (typeof entry.key !== 'string') throw new Error('manifest file entry without a key');
    return {
      key: entry.key,
      size: Number(entry.size),
      ...(typeof entry.MD5checksum === 'string' ? { MD5checksum: entry.MD5checksum.toLowerCase() } : {}),
    };
  });
  return {
    sourceBucket: String(doc.sourceBucket ?? ''),
    destinationBucket: String(doc.destinationBucket ?? ''),
    fileFormat,
    fileSchema: String(doc.fileSchema ?? ''),
    files,
  };
}

/** `<base>/hive/dt=YYYY-MM-DD-HH-MM` → `<base>/YYYY-MM-DDTHH-MMZ/manifest.json` (both lake-relative). */
export function manifestKeyForHiveDir(hiveDtDir: string): string | null {
  const m = /^(.*)\/hive\/dt=(\d{4}-\d{2}-\d{2})-(\d{2})-(\d{2})$/.exec(hiveDtDir);
  if (!m) return null;
  return `${m[1]}/${m[2]}T${m[3]}-${m[4]}Z/manifest.json`;
}

/** The S3 URIs listed in a symlink.txt. */
export function parseSymlink(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** `s3://<bucket>/<key>` → `<key>`: the lake directory stands for the destination bucket's root. */
export function s3UriToLakeKey(uri: string): string | null {
  const m = /^s3a?:\/\/[^/]+\/(.+)$/.exec(uri);
  return m ? m[1]! : null;
}

/** `VersionId` → `version_id`, `ETag` → `e_tag`; snake_case names stay as they are. */
export function inventoryColumnName(field: string): string {
  return field
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Maps a CSV manifest's fileSchema to s3_inventory column names (null for fields the table does not have). */
export function csvSchemaColumns(fileSchema: string): (string | null)[] {
  const known = new Set(tableDefinition('s3_inventory').columns.map((c) => c.name));
  return fileSchema.split(',').map((f) => {
    const name = inventoryColumnName(f);
    return known.has(name) ? name : null;
  });
}

/** Form-decodes an inventory key: `+` is a space, `%XX` sequences are UTF-8 bytes; malformed escapes stay literal. */
export function decodeInventoryKey(encoded: string): string {
  return encoded.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Splits one CSV record (double-quoted fields, `""` escapes). Null when the quoting is broken. */
export function parseCsvRecord(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return null;
      fields.push(value);
      i = end;
    }
    if (i === line.length) return fields;
    if (line[i] !== ',') return null;
    i++;
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 → 'YYYY-MM-DD HH:MM:SS.fff' in UTC (the TIMESTAMP text DuckDB reads); null when not ISO. */
export function isoToUtcTimestamp(text: string): string | null {
  if (!ISO_INSTANT.test(text)) return null;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned.replace(' ', 'T'));
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, -1);
}

function convert(type: HiveType, text: string): unknown {
  if (text === '') return null;
  if (type.kind !== 'primitive') return null;
  switch (type.name) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : null;
    case 'bigint':
    case 'int': {
      if (!/^[+-]?\d+$/.test(text)) return null;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'double':
      return Number.isFinite(Number(text)) ? Number(text) : null;
    case 'timestamp':
      return isoToUtcTimestamp(text);
    default:
      return text;
  }
}

/** Converts one CSV record into an s3_inventory row (data columns only). */
let columnTypes: Map<string, HiveType> | null = null;

export function inventoryCsvRow(fields: string[], schema: (string | null)[]): Row {
  columnTypes ??= new Map(tableDefinition('s3_inventory').columns.map((c) => [c.name, c.type]));
  const row: Row = {};
  for (const name of columnTypes.keys()) row[name] = null;
  for (let i = 0; i < schema.length; i++) {
    const name = schema[i];
    if (!name) continue;
    const text = fields[i] ?? '';
    row[name] = name === 'key' ? (text === '' ? null : decodeInventoryKey(text)) : convert(columnTypes.get(name)!, text);
  }
  return row;
}

export async function fileMd5(absPath: string): Promise<string> {
  const hash = crypto.createHash('md5');
  for await (const chunk of fs.createReadStream(absPath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export type InventoryCsvInput = SourceInput & { schema: (string | null)[]; md5?: string };

export async function* readInventoryCsv(input: InventoryCsvInput): AsyncGenerator<SourceBatch> {
  if (input.md5) {
    let actual: string;
    try {
      actual = await fileMd5(input.absPath);
    } catch (error) {
      yield wholeFileRejection(input.file, `unreadable: ${errorMessage(error)}`);
      return;
    }
    if (actual !== input.md5) {
      yield wholeFileRejection(input.file, `MD5 mismatch: the manifest lists ${input.md5}, the file has ${actual}`);
      return;
    }
  }
  const raw = fs.createReadStream(input.absPath);
  const body = path.basename(input.absPath).endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on('error', (error) => body.destroy(error));
  yield* lineBatches(
    input,
    body,
    (line, lineNo) => {
      const fields = parseCsvRecord(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (!fields || fields.length !== input.schema.length) {
        const reason = fields
          ? `${fields.length} fields where the manifest schema has ${input.schema.length}`
          : 'malformed CSV quoting';
        return { rejected: [{ file: input.file, line: lineNo, reason }] };
      }
      return { row: inventoryCsvRow(fields, input.schema) };
    },
    () => raw.destroy(),
  );
}
