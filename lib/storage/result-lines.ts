import { canonicalize } from '@/lib/canonical';
import type { Cell } from '@/lib/engine/port';

// One stored row: its canonical JSON (lib/canonical.ts) on one line. JSON text never holds a raw
// newline or tab (both are escaped), so '\n' ends a row and '\t' can separate fields around it.

const NON_FINITE = 'canonical JSON cannot encode a non-finite number';

/**
 * canonicalize(row), faster: a row of strings, finite numbers, booleans, nulls and string arrays
 * (every cell an engine returns) has no object keys to sort, so its canonical JSON is
 * JSON.stringify's; anything else goes through canonicalize().
 */
export function rowLine(row: Cell[]): string {
  for (let i = 0; i < row.length; i++) {
    const cell: unknown = row[i];
    switch (typeof cell) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(cell)) throw new Error(NON_FINITE);
        continue;
      case 'object':
        if (cell === null) continue;
        if (Array.isArray(cell) && cell.every((v) => typeof v === 'string')) continue;
        return canonicalize(row);
      default:
        return canonicalize(row);
    }
  }
  return JSON.stringify(row);
}

const ROW_SEPARATOR = Buffer.from('],[');

/** Whether canonicalize(row) is JSON.stringify(row): strings, finite numbers, booleans, nulls, arrays of strings. */
function plainRow(row: Cell[]): boolean {
  for (let i = 0; i < row.length; i++) {
    const cell: unknown = row[i];
    if (cell === null || typeof cell === 'string' || typeof cell === 'boolean') continue;
    if (typeof cell === 'number' && Number.isFinite(cell)) continue;
    if (Array.isArray(cell) && cell.every((v) => typeof v === 'string')) continue;
    return false;
  }
  return true;
}

/**
 * The UTF-8 bytes of rowLine(row) + '\n' for every row, in order. One JSON.stringify of the whole
 * batch costs half as much as one per row: for plain rows, JSON.stringify(rows) is '[' + the rows'
 * lines joined by ',' + ']', and each line starts with '[' and ends with ']', so '],[' occurs at
 * every join. When it occurs nowhere else (no text holds it), those commas become newlines in
 * place (the bytes of ']', ',' and '[' never occur inside a multi-byte character). Otherwise, or
 * for other cells, row by row.
 */
export function batchLines(rows: Cell[][]): Buffer {
  if (rows.length > 1 && rows.every(plainRow)) {
    const bytes = Buffer.from(JSON.stringify(rows), 'utf8');
    let at = 0;
    let joins = 0;
    for (; joins < rows.length - 1; joins++) {
      at = bytes.indexOf(ROW_SEPARATOR, at + 1);
      if (at < 0) break;
      bytes[at + 1] = 10;
    }
    if (joins === rows.length - 1 && bytes.indexOf(ROW_SEPARATOR, at + 1) < 0) {
      bytes[bytes.length - 1] = 10; // the closing ']' of the batch
      return bytes.subarray(1);
    }
  }
  let text = '';
  for (const row of rows) text += rowLine(row) + '\n';
  return Buffer.from(text, 'utf8');
}

/** Numbers by value, text by code point (integers beyond 2^53 are text, still by value); arrays as their joined text. */
export function compareCells(x: Exclude<Cell, null>, y: Exclude<Cell, null>, integer: boolean): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  // integers beyond 2^53 are kept as text; they still sort by value
  if (integer && (typeof x === 'string' || typeof y === 'string')) {
    const a = BigInt(x as string | number);
    const b = BigInt(y as string | number);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const a = Array.isArray(x) ? x.join('\u0000') : String(x);
  const b = Array.isArray(y) ? y.join('\u0000') : String(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit order, as Array.prototype.sort() orders strings. */
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const OPEN = 0x5b; // [
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * The rows of whole stored lines (each ended by a newline; empty lines skipped), parsed by one
 * JSON.parse: the lines joined by commas inside brackets are a JSON array of the rows, because a
 * row's JSON never holds a raw newline. One parse of a chunk costs less than one per line.
 */
export function parseRowLines(text: Buffer): Cell[][] {
  if (text.length === 0) return [];
  const array = Buffer.allocUnsafe(text.length + 1);
  array[0] = OPEN;
  text.copy(array, 1);
  let previous = 0; // index in `array` of the last separator written ('[' or a comma)
  for (let at = array.indexOf(NEWLINE, 1); at >= 0; at = array.indexOf(NEWLINE, at + 1)) {
    if (at === previous + 1) return [...eachRowLine(text)]; // an empty line
    array[at] = COMMA;
    previous = at;
  }
  array[array.length - 1] = 0x5d; // the last line's newline becomes ']'
  return JSON.parse(array.toString('utf8')) as Cell[][];
}

/** The rows of stored lines parsed one line at a time (empty lines skipped; the last line may lack its newline). */
export function* eachRowLine(text: Buffer): Generator<Cell[]> {
  for (let at = 0; at < text.length; ) {
    const found = text.indexOf(NEWLINE, at);
    const end = found < 0 ? text.length : found;
    if (end > at) yield JSON.parse(text.toString('utf8', at, end)) as Cell[];
    at = end + 1;
  }
}
