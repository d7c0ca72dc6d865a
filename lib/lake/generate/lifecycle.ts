// The archive bucket's lifecycle rules (STANDARD → STANDARD_IA 30 d → GLACIER 90 d → DEEP_ARCHIVE
// 365 d, no expiration). S3 makes an object eligible at the first UTC midnight after
// creation + N days and transitions it some hours later; inventory and access logs both use this.
import { hashString } from './random';
import { DAY, MINUTE, SECOND } from './time';
import type { ObjectVersion } from './world';

export const TRANSITIONS = [
  { days: 30, storageClass: 'STANDARD_IA', operation: 'S3.TRANSITION_SIA.OBJECT' },
  { days: 90, storageClass: 'GLACIER', operation: 'S3.TRANSITION.OBJECT' },
  { days: 365, storageClass: 'DEEP_ARCHIVE', operation: 'S3.TRANSITION_GDA.OBJECT' },
] as const;

export const STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'GLACIER', 'DEEP_ARCHIVE'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** When the version moves to the class of the rule with `days`. */
export function transitionAt(version: ObjectVersion, days: number): number {
  const due = version.lastModified + days * DAY;
  const eligible = due - (due % DAY) + DAY;
  const lag = MINUTE + (hashString(`${version.versionId}:${days}`) % (5 * 3600)) * SECOND;
  return eligible + lag;
}

export function storageClassAt(version: ObjectVersion, ms: number): StorageClass {
  let cls: StorageClass = 'STANDARD';
  for (const t of TRANSITIONS) if (transitionAt(version, t.days) <= ms) cls = t.storageClass;
  return cls;
}

/** GetObject needs the object in an instant-access class (GLACIER and DEEP_ARCHIVE need a restore). */
export function readableAt(version: ObjectVersion, ms: number): boolean {
  return !version.deleteMarker && ms >= version.lastModified && ms < transitionAt(version, 90);
}
