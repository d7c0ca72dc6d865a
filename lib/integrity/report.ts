// The integrity report: what was checked in a window and each problem with the object it names
// and the UTC hours it leaves unproven. Its JSON shape is a stable interface (CLI, evidence).

export const PROBLEM_KINDS = [
  'missing-log',
  'altered-log',
  'missing-digest',
  'bad-signature',
  'broken-chain',
  'unknown-key',
  'unlisted-log',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export type IntegrityProblem = {
  kind: ProblemKind;
  /** The object key (a log file or a digest file). */
  file: string;
  /** First hour covered, 'YYYY-MM-DDTHH:00:00Z'. */
  from: string;
  /** End of the last hour covered (exclusive), 'YYYY-MM-DDTHH:00:00Z'. */
  to: string;
};

export type IntegrityReport = {
  from: string;
  to: string;
  regions: string[];
  digests: { checked: number; valid: number };
  logFiles: { checked: number; valid: number };
  problems: IntegrityProblem[];
  ok: boolean;
};

export const HOUR_MS = 3_600_000;

/** 'YYYY-MM-DDTHH:00:00Z' of the clock hour holding `ms`. */
export function isoHour(ms: number): string {
  return `${new Date(Math.floor(ms / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13)}:00:00Z`;
}

/** Problem hours of the interval [start, end): from the hour holding start to the hour boundary at or after end. */
export function hoursOf(kind: ProblemKind, file: string, start: number, end: number): IntegrityProblem {
  const to = Math.max(Math.ceil(end / HOUR_MS), Math.floor(start / HOUR_MS) + 1) * HOUR_MS;
  return { kind, file, from: isoHour(start), to: isoHour(to) };
}

export function compareProblems(a: IntegrityProblem, b: IntegrityProblem): number {
  return a.from.localeCompare(b.from) || a.file.localeCompare(b.file) || a.kind.localeCompare(b.kind);
}
