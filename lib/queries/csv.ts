import type { Cell } from '@/lib/engine/port';

// RFC 4180 cells. Spreadsheets execute cells that start like formulas (a user agent such as
// "=HYPERLINK(…)" is attacker-controlled); a leading apostrophe keeps them text. Plain numbers
// ("-5") and a lone "-" are left alone.

const SIGNED_NUMBER = /^-\d+(\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: Cell): string {
  if (value === null) return '';
  return csvText(typeof value === 'string' ? value : Array.isArray(value) ? value.join('; ') : String(value));
}

/** A cell's text (an array's items joined by '; ', a number as String() writes it) as its CSV field. */
export function csvText(text: string): string {
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
