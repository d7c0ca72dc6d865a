export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d{3}Z$|Z$/, ' UTC');
}

/** Digits grouped by thousands ("1,441"); integers beyond 2^53 arrive as strings and keep every digit. */
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: 4 }) : String(value);
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(value);
  return m ? `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}` : value;
}

/** "1 row", "2 rows", "1,441 rows" ("0 rows"); irregular plurals are given. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatNumber(count)} ${count === 1 ? one : many}`;
}

/** An ISO 8601 UTC time as tables show it, where the header says UTC: "2026-10-19 15:54:12". */
export function formatTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** "1.2.840.113619.2.55.3.604688119" → "1.2.840.11…04688119": the start and the end, which tell values apart. */
export function shortenMiddle(value: string, head = 10, tail = 8): string {
  return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`;
}

/**
 * The part of an ARN that names the thing: "arn:aws:sts::123456789012:assumed-role/Radiology/jane@x"
 * → "Radiology/jane@x", "arn:aws:kms:us-east-1:…:key/1234abcd-…" → "key/1234abcd-…". Anything
 * else is returned as it is.
 */
export function shortArn(value: string): string {
  const m = /^arn:[^:]+:[^:]*:[^:]*:[^:]*:(.+)$/.exec(value);
  if (!m) return value;
  const resource = m[1]!.replace(/^assumed-role\//, '');
  return resource.length > 48 ? shortenMiddle(resource, 28, 16) : resource;
}
