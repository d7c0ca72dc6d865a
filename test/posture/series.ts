// Deterministic synthetic hourly series for the spike detector's tests.
import type { HourCount } from '@/lib/posture/spikes';
import { seeded } from '../support/seeded';

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
