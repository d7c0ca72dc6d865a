// Athena returns every value as text (GetQueryResults VarCharValue, or a CSV field); this turns
// that text into the port's canonical cells so results match the embedded engine's.
import type { Cell, SqlType } from '@/lib/engine/port';

const TYPES: Record<string, SqlType> = {
  varchar: 'varchar',
  char: 'varchar',
  string: 'varchar',
  bigint: 'bigint',
  integer: 'integer',
  int: 'integer',
  smallint: 'integer',
  tinyint: 'integer',
  double: 'double',
  float: 'double',
  real: 'double',
  decimal: 'double',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  'timestamp with time zone': 'timestamp',
};

/**
 * The port type of a ColumnInfo.Type. Athena reports arrays as plain `array`; JSON, maps, rows
 * and other types arrive as their text rendering and stay text.
 */
export function sqlTypeOf(athenaType: string | undefined): SqlType {
  const t = (athenaType ?? '').toLowerCase().replace(/\(.*?\)/g, '').replace(/\s+/g, ' ').trim();
  if (t === 'array' || t.startsWith('array<') || t.startsWith('array ')) return 'array(varchar)';
  return TYPES[t] ?? 'varchar';
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?: ?(.+))?$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  return format;
}

/** Milliseconds the zone's wall clock is ahead of UTC at the given instant. */
function zoneOffsetMs(zone: string, utcMs: number): number {
  const parts = Object.fromEntries(zoneFormat(zone).formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/**
 * `2025-03-04 15:22:09.000 UTC`, `2025-03-04 15:22:09.000` (UTC by convention), an offset
 * (`+05:30`) or a zone name (`America/New_York`) → `2025-03-04T15:22:09.000Z`.
 */
export function canonicalTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'UTC'] = m;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  if (zone === 'UTC' || zone === 'Z' || zone === 'Etc/UTC') return `${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}Z`;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(millis));
  const offset = OFFSET.exec(zone);
  if (offset) {
    const minutes = (Number(offset[2]) * 60 + Number(offset[3])) * (offset[1] === '-' ? -1 : 1);
    return new Date(wall - minutes * 60_000).toISOString();
  }
  try {
    const guess = wall - zoneOffsetMs(zone, wall);
    return new Date(wall - zoneOffsetMs(zone, guess)).toISOString();
  } catch {
    return text;
  }
}

/** `[a, b]` → ['a', 'b']. Athena renders arrays as bracketed, comma-space separated text. */
export function parseArrayText(text: string): string[] {
  if (!text.startsWith('[') || !text.endsWith(']')) return [text];
  const inner = text.slice(1, -1);
  return inner === '' ? [] : inner.split(', ');
}

/** One canonical cell from Athena's text; `null` (no VarCharValue, or an unquoted empty CSV field) is SQL NULL. */
export function decodeCell(text: string | null | undefined, type: SqlType): Cell {
  if (text === null || text === undefined) return null;
  switch (type) {
    case 'varchar':
    case 'date':
      return text;
    case 'bigint': {
      if (!/^-?\d+$/.test(text)) return Number(text);
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'integer':
    case 'double':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'timestamp':
      return canonicalTimestamp(text);
    case 'array(varchar)':
      return parseArrayText(text);
  }
}
