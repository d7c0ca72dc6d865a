// What the scenario decided before any day is written: the planted incidents and the windows the
// background traffic must respect. Plain data, shared with worker threads.
import type { CloudTrailGap, Emission } from './emission';

export type GapPlan = CloudTrailGap & {
  /** First and last+1 clock hours without any record in the region. */
  from: number;
  to: number;
  /** The final delivery before logging stopped, and the end of the final digest. */
  flushAt: number;
  finalDigestEnd: number;
};

export type Plan = {
  gap: GapPlan;
  /** Between the two PutKeyPolicy calls the key policy leaves these roles out. */
  burst: { start: number; end: number; affectedRoles: string[] };
  /** Background denials stay out of this interval so the burst stands alone. */
  quiet: { from: number; to: number };
  /** Clinicians whose every event is planted. */
  excludedClinicians: number[];
  planted: Emission[];
};
