// Rows as unquoted delimited text, the cheapest form for DuckDB to load: one line per row, struct
// fields flattened (with a presence field per struct), arrays and maps as their JSON text. Values
// are written verbatim, so a row holding a control character or a surrogate (which the format
// cannot carry unchanged) is refused, and its caller stages it as JSON instead.
import { isAscii } from 'node:buffer';
import { quoteIdent, sqlString, tableColumns } from './read-sql';
import { duckdbType, tableDefinition, type HiveField, type HiveType } from './schema';
import { fieldResolver, isObject, jsonSerdeNormalizer } from './sources/json-serde';
import type { Row } from './sources/types';
import type { LakeTable } from './tables';

/** Longer lines are staged as JSON: DuckDB's CSV buffers are sized from the longest line allowed. */
export const MAX_LINE_CHARS = 4 << 20;
const MAX_LINE_BYTES = 16 << 20;
const SEPARATOR = '\x1f';
const NULL = '\x1e';
const UNSAFE = /[\x00-\x1f\ud800-\udfff]/;
/** Escapes that can put a control character or a surrogate into a parsed string. */
const RISKY_JSON = /\\(?:[bfnrt]|u00[01]|u[dD][89a-fA-F])|[\ud800-\udfff]/;

/** Appends a value's fields to `out`; false when a value cannot be written verbatim (unless `trusted`). */
type Emit = (value: unknown, out: string[], trusted: boolean) => boolean;
type Layout = { width: number; emit: Emit };

function emitText(text: string, out: string[], trusted: boolean): boolean {
  if (!trusted && UNSAFE.test(text)) return false;
  out.push(text);
  return true;
}

function structLayout(width: number, emitFields: (struct: Record<string, unknown>, out: string[], trusted: boolean) => boolean): Layout {
  const absent = new Array<string>(width).fill(NULL).join(SEPARATOR);
  return {
    width,
    emit: (value, out, trusted) => {
      if (!isObject(value)) {
        out.push(absent);
        return true;
      }
      out.push('1');
      return emitFields(value, out, trusted);
    },
  };
}

/** Layout of a normalized value (json-serde.ts output, or a line parser's row). */
function rowLayout(type: HiveType): Layout {
  switch (type.kind) {
    case 'primitive':
      return {
        width: 1,
        emit: (value, out, trusted) => {
          if (value === undefined || value === null) return out.push(NULL), true;
          return emitText(typeof value === 'string' ? value : String(value), out, trusted);
        },
      };
    case 'struct': {
      const fields = type.fields.map((f) => ({ name: f.name, ...rowLayout(f.type) }));
      return structLayout(1 + fields.reduce((sum, f) => sum + f.width, 0), (struct, out, trusted) => {
        for (const f of fields) if (!f.emit(struct[f.name], out, trusted)) return false;
        return true;
      });
    }
    case 'array':
    case 'map':
      // JSON.stringify escapes every control character and lone surrogate.
      return { width: 1, emit: (value, out) => (out.push(value === undefined || value === null ? NULL : JSON.stringify(value)), true) };
  }
}

/** Layout of a raw JSON value: the JSON SerDe's normalization (json-serde.ts) fused with rowLayout. */
function jsonLayout(type: HiveType): Layout {
  const normalize = jsonSerdeNormalizer(type);
  switch (type.kind) {
    case 'primitive':
      return {
        width: 1,
        emit: (value, out, trusted) => {
          const normalized = value === undefined || value === null ? null : normalize(value);
          if (normalized === null) return out.push(NULL), true;
          return emitText(typeof normalized === 'string' ? normalized : String(normalized), out, trusted);
        },
      };
    case 'struct':
      return structFields(type.fields);
    case 'array':
    case 'map':
      return {
        width: 1,
        emit: (value, out) => {
          const normalized = value === undefined || value === null ? null : normalize(value);
          out.push(normalized === null ? NULL : JSON.stringify(normalized));
          return true;
        },
      };
  }
}

type Fields = {
  width: number;
  emitFields(struct: Record<string, unknown>, out: string[], trusted: boolean): boolean;
  /** The fields' raw values in the struct last emitted. */
  found: unknown[];
};

function jsonFields(fields: HiveField[]): Fields {
  const resolve = fieldResolver(fields);
  const layouts = fields.map((f) => jsonLayout(f.type));
  const found = new Array<unknown>(fields.length);
  return {
    found,
    width: layouts.reduce((sum, l) => sum + l.width, 0),
    emitFields: (struct, out, trusted) => {
      resolve(struct, found);
      for (let i = 0; i < layouts.length; i++) if (!layouts[i]!.emit(found[i], out, trusted)) return false;
      return true;
    },
  };
}

function structFields(fields: HiveField[]): Layout {
  const { width, emitFields } = jsonFields(fields);
  return structLayout(1 + width, emitFields);
}

export type RowText = {
  /** Text fields per line. */
  width: number;
  /** A normalized row as one line (without its newline), or null when it must be staged as JSON. */
  line(row: Row): string | null;
};

const rowTexts = new Map<LakeTable, RowText>();

export function rowText(table: LakeTable): RowText {
  let layout = rowTexts.get(table);
  if (!layout) {
    const columns = tableColumns(table).map((c) => ({ name: c.name, ...rowLayout(c.type) }));
    layout = {
      width: columns.reduce((sum, c) => sum + c.width, 0),
      line: (row) => {
        const out: string[] = [];
        for (const c of columns) if (!c.emit(row[c.name], out, false)) return null;
        return out.join(SEPARATOR);
      },
    };
    rowTexts.set(table, layout);
  }
  return layout;
}

export type JsonRowText = {
  /** The partition columns' part of every line of one object; null when they cannot be written verbatim. */
  partitionText(partition: Record<string, string>): string | null;
  /**
   * A raw JSON record as the line rowText would write for its normalized row (`partitionText`
   * appended), or null when it must be staged as JSON.
   */
  line(record: Record<string, unknown>, partitionText: string, trusted: boolean): string | null;
  /** The normalized value of a data column in the record last passed to line(). */
  value(column: string): unknown;
};

const jsonRowTexts = new Map<LakeTable, JsonRowText>();

/** rowText for a table read with the JSON SerDe, straight from parsed records (no row objects). */
export function jsonRowText(table: LakeTable): JsonRowText {
  let layout = jsonRowTexts.get(table);
  if (!layout) {
    const def = tableDefinition(table);
    const data = jsonFields(def.columns);
    const position = new Map(def.columns.map((c, i) => [c.name, i]));
    const normalizers = def.columns.map((c) => jsonSerdeNormalizer(c.type));
    const partitions = def.partitions.map((p) => p.name);
    const out: string[] = [];
    layout = {
      partitionText: (partition) => {
        const parts: string[] = [];
        for (const name of partitions) {
          const value = partition[name];
          if (value === undefined) parts.push(NULL);
          else if (!emitText(value, parts, false)) return null;
        }
        return parts.join(SEPARATOR);
      },
      line: (record, partitionText, trusted) => {
        out.length = 0;
        if (!data.emitFields(record, out, trusted)) return null;
        if (partitions.length > 0) out.push(partitionText);
        return out.join(SEPARATOR);
      },
      value: (column) => {
        const i = position.get(column);
        const raw = i === undefined ? undefined : data.found[i];
        return raw === undefined || raw === null ? null : normalizers[i!]!(raw);
      },
    };
    jsonRowTexts.set(table, layout);
  }
  return layout;
}

export type JsonFacts = {
  /** Every string the JSON text parses to is free of control characters and surrogates: no value needs checking. */
  trusted: boolean;
  /** Every string it parses to is ASCII. */
  ascii: boolean;
};

const BACKSLASH = 0x5c;

/** What a JSON document's bytes (and their decoded text) tell about the strings in it, without parsing it. */
export function jsonFacts(body: Buffer, text: string): JsonFacts {
  if (!isAscii(body)) return { trusted: !RISKY_JSON.test(text), ascii: false };
  const facts = { trusted: true, ascii: true };
  for (let at = body.indexOf(BACKSLASH); at >= 0; at = body.indexOf(BACKSLASH, at)) {
    const escaped = body[at + 1];
    if (escaped === 0x75 /* u */) {
      const code = parseInt(body.toString('latin1', at + 2, at + 6), 16);
      if (!(code >= 0x20 && code < 0xd800) && !(code > 0xdfff)) facts.trusted = false;
      if (!(code < 0x80)) facts.ascii = false;
      at += 6;
    } else {
      if (escaped !== BACKSLASH && escaped !== 0x22 /* " */ && escaped !== 0x2f /* / */) facts.trusted = false;
      at += 2;
    }
  }
  return facts;
}

/** The SQL expression rebuilding one column from its text fields, numbered from `next.i`. */
function columnExpression(field: HiveField, next: { i: number }): string {
  const ref = quoteIdent(`f${next.i++}`);
  const type = field.type;
  if (type.kind === 'struct') {
    const inner = type.fields.map((f) => `${quoteIdent(f.name)} := ${columnExpression(f, next)}`).join(', ');
    return `CASE WHEN ${ref} IS NOT NULL THEN struct_pack(${inner}) END`;
  }
  if (type.kind === 'primitive') return type.name === 'string' ? ref : `CAST(${ref} AS ${duckdbType(type)})`;
  // from_json, like read_json, reads a missing struct field as NULL (a CAST would fail).
  return `from_json(${ref}, ${sqlString(JSON.stringify(duckdbType(type)))})`;
}

/** Rows written with rowText, typed as the table's visible columns. */
export function rowTextRelation(table: LakeTable, files: string[]): string {
  const { width } = rowText(table);
  const fields = Array.from({ length: width }, (_, i) => `${sqlString(`f${i}`)}: 'VARCHAR'`).join(', ');
  const next = { i: 0 };
  const select = tableColumns(table)
    .map((c) => `${columnExpression(c, next)} AS ${quoteIdent(c.name)}`)
    .join(', ');
  const source =
    `read_csv([${files.map(sqlString).join(', ')}], delim = ${sqlString(SEPARATOR)}, quote = '', escape = '', header = false, ` +
    `auto_detect = false, nullstr = ${sqlString(NULL)}, new_line = '\\n', max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${2 * MAX_LINE_BYTES}, columns = {${fields}})`;
  return `SELECT ${select} FROM ${source}`;
}
