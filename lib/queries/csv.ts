import type { Cell, EngineColumn } from '@/lib/engine/port';

// RFC 4180 cells. Spreadsheets execute cells that start like formulas (a user agent such as
// "=HYPERLINK(…)" is attacker-controlled); a leading apostrophe keeps them text. Plain numbers
// ("-5") and a lone "-" are left alone.

const SIGNED_NUMBER = /^-\d+(\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: Cell): string {
  if (value === null) return '';
  let text = typeof value === 'string' ? value : Array.isArray(value) ? value.join('; ') : String(value);
  // = + @ tab CR, or '-' not starting a plain number (the first character alone, not a regular expression per cell)
  const first = text.charCodeAt(0);
  if (first === 61 || first === 43 || first === 64 || first === 9 || first === 13 || (first === 45 && text.length > 1 && !SIGNED_NUMBER.test(text))) {
    text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: Cell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += i === 0 ? csvCell(cells[i]!) : ',' + csvCell(cells[i]!);
  return line + '\r\n';
}

/** A CSV download: the header, then a chunk of lines per batch of rows (batches under 64 KiB of text are gathered). */
export async function* csvBody(columns: EngineColumn[], batches: AsyncIterable<Cell[][]>): AsyncGenerator<string> {
  yield csvLine(columns.map((c) => c.name));
  let chunk = '';
  for await (const rows of batches) {
    for (let i = 0; i < rows.length; i++) chunk += csvLine(rows[i]!);
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
