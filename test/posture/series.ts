// Deterministic synthetic hourly series for the spike detector's tests.
import type { HourCount } from '@/lib/posture/spikes';

/** mulberry32: a small seeded generator, uniform on [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw with mean `lambda` (Knuth's method, fine for the small means used here). */
export function poisson(random: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/** `days` days of hours from `from` (UTC midnight), each count drawn by `mean(ms)`. */
export function synthetic(from: string, days: number, seed: number, mean: (ms: number) => number): HourCount[] {
  const random = seeded(seed);
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: days * 24 }, (_, i) => {
    const ms = start + i * 3_600_000;
    return { hour: new Date(ms).toISOString().slice(0, 13), count: poisson(random, mean(ms)) };
  });
}

/** The series with `extra` added to the counts of the given hours. */
export function withBursts(series: HourCount[], extra: Record<string, number>): HourCount[] {
  return series.map((h) => ({ hour: h.hour, count: h.count + (extra[h.hour] ?? 0) }));
}
