import type { Cell } from '@/lib/engine/port';

// RFC 4180 cells. Spreadsheets execute cells that start like formulas (a user agent such as
// "=HYPERLINK(…)" is attacker-controlled); a leading apostrophe keeps them text. Plain numbers
// ("-5") and a lone "-" are left alone.
export function csvCell(value: Cell): string {
  if (value === null) return '';
  let text = Array.isArray(value) ? value.join('; ') : String(value);
  if (/^[=+@\t\r]/.test(text) || (/^-/.test(text) && text.length > 1 && !/^-\d+(\.\d+)?$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: Cell[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}
