import { formatBytes, formatTimestamp } from '@/lib/format';
import type { Cell, ColumnKind } from './types';

export const EMPTY = '—';

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** Digits grouped by thousands; integers beyond 2^53 arrive as strings and keep every digit. */
export function formatNumber(value: number | string): string {
  if (typeof value === 'number') return Number.isFinite(value) ? NUMBER.format(value) : String(value);
  const m = value.match(/^(-?)(\d+)(\.\d+)?$/);
  return m ? `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}` : value;
}

function plain(cell: Exclude<Cell, null>): string {
  if (Array.isArray(cell)) return cell.join(', ');
  return String(cell);
}

/** A cell as printed in a table: numbers grouped, bytes humanised, times as 'YYYY-MM-DD HH:MM:SS' (UTC). */
export function formatCell(cell: Cell, kind: ColumnKind): string {
  if (cell === null || cell === '' || (Array.isArray(cell) && cell.length === 0)) return EMPTY;
  switch (kind) {
    case 'number':
      return typeof cell === 'number' || typeof cell === 'string' ? formatNumber(cell) : plain(cell);
    case 'bytes': {
      const n = typeof cell === 'number' ? cell : typeof cell === 'string' ? Number(cell) : NaN;
      return Number.isFinite(n) ? formatBytes(n) : plain(cell);
    }
    case 'time':
      return typeof cell === 'string' ? formatTimestamp(cell).replace(/ UTC$/, '') : plain(cell);
    default:
      return plain(cell);
  }
}

/** Columns whose values are never wrapped (a number split over two lines misleads). */
export function isRigid(kind: ColumnKind): boolean {
  return kind === 'number' || kind === 'bytes' || kind === 'time' || kind === 'date';
}

export function isRightAligned(kind: ColumnKind): boolean {
  return kind === 'number' || kind === 'bytes';
}
