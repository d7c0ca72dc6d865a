// How many CloudTrail records a scope reads, from the compaction manifest (no data is opened).
import { readCompactManifest } from '@/lib/lake/compact-manifest';
import { addDays } from '@/lib/days';
import { partitionDays } from '@/lib/lake/layout';
import type { LakeLocation } from '@/lib/lake/tables';

export type Scope = { from: string; to: string };

export async function cloudTrailRecordsByDay(lake: LakeLocation): Promise<Map<string, number>> {
  const manifest = await readCompactManifest(lake);
  const byDay = new Map<string, number>();
  for (const p of Object.values(manifest.partitions)) {
    if (p.table !== 'cloudtrail_logs' || !p.parquet) continue;
    byDay.set(p.day, (byDay.get(p.day) ?? 0) + p.parquet.rows);
  }
  return byDay;
}

/** Records in the day partitions a scope reads (its days plus the late-delivery day). */
export function recordsInScope(byDay: Map<string, number>, scope: Scope | null): number {
  if (!scope) return 0;
  return partitionDays(scope.from, scope.to).reduce((n, day) => n + (byDay.get(day) ?? 0), 0);
}

/** The shortest window ending where `whole` ends whose records number at least `rows` (`whole` when it holds fewer). */
export function windowHolding(byDay: Map<string, number>, rows: number, whole: Scope): Scope {
  // partitionDays ends a day after `to` (late delivery), as recordsInScope counts it
  const days = partitionDays(whole.from, whole.to);
  let records = byDay.get(days[days.length - 1]!) ?? 0;
  for (let i = days.length - 2; i > 0; i--) {
    records += byDay.get(days[i]!) ?? 0;
    if (records >= rows) return { from: addDays(whole.from, i), to: whole.to };
  }
  return whole;
}
