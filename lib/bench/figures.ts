// Small arithmetic shared by the bench's measurements.

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Per-second rate, or 0 when nothing was timed. */
export function perSecond(count: number, seconds: number): number {
  return seconds > 0 ? round(count / seconds, 1) : 0;
}

export const elapsedSeconds = (startedMs: number) => (performance.now() - startedMs) / 1000;

/** Bytes as whole MiB, for progress lines. */
export const mib = (bytes: number) => Math.round(bytes / 1048576).toLocaleString('en-US');
