// Study-age bands of the storage-tier dashboard: completed calendar years from the study date to
// the as-of date, so leap years count exactly (a study is one year old on its first anniversary).
import { isCalendarDate } from '@/lib/days';

export const AGE_BANDS = ['0-1', '1-3', '3-7', '7+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const AGE_BAND_LABELS: Record<AgeBand, string> = {
  '0-1': 'Under 1 year',
  '1-3': '1 to 3 years',
  '3-7': '3 to 7 years',
  '7+': '7 years or more',
};

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Completed years from `studyDate` to `asOf` (both 'YYYY-MM-DD', UTC days). A 29 February study
 * has its anniversary on 28 February in common years, as Trino's and DuckDB's year arithmetic do.
 */
export function studyAgeYears(studyDate: string, asOf: string): number {
  if (!isCalendarDate(studyDate)) throw new RangeError(`study date is not a calendar date (YYYY-MM-DD): ${studyDate}`);
  if (!isCalendarDate(asOf)) throw new RangeError(`as-of date is not a calendar date (YYYY-MM-DD): ${asOf}`);
  if (studyDate > asOf) throw new RangeError(`study date ${studyDate} is after the as-of date ${asOf}`);
  const years = Number(asOf.slice(0, 4)) - Number(studyDate.slice(0, 4));
  const year = Number(studyDate.slice(0, 4)) + years;
  let monthDay = studyDate.slice(5);
  if (monthDay === '02-29' && !isLeapYear(year)) monthDay = '02-28';
  const anniversary = `${String(year).padStart(4, '0')}-${monthDay}`;
  return anniversary > asOf ? years - 1 : years;
}

/** The band of a study on `asOf`: 0–1, 1–3, 3–7 or 7+ completed years. */
export function ageBand(studyDate: string, asOf: string): AgeBand {
  const years = studyAgeYears(studyDate, asOf);
  if (years < 1) return '0-1';
  if (years < 3) return '1-3';
  if (years < 7) return '3-7';
  return '7+';
}
