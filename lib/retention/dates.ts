// Exact calendar arithmetic on UTC days ('YYYY-MM-DD'): anniversaries, birthdays, ages, later-of.
import { isCalendarDate, utcDay } from '@/lib/days';

/**
 * Where an anniversary of 29 February falls in a common year: 'feb28' (what Trino's and DuckDB's
 * year arithmetic gives) or 'mar1' (the reading of jurisdictions where a person born on 29
 * February attains an age on 1 March).
 */
export const LEAP_DAY_RULES = ['feb28', 'mar1'] as const;
export type LeapDayRule = (typeof LEAP_DAY_RULES)[number];

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function checkDay(day: string, what: string): void {
  if (!isCalendarDate(day)) throw new RangeError(`${what} is not a calendar date (YYYY-MM-DD): ${day}`);
}

/** The same month and day `years` calendar years later (earlier when negative); 29 February by `leapDay`. */
export function addYears(day: string, years: number, leapDay: LeapDayRule = 'feb28'): string {
  checkDay(day, 'date');
  if (!Number.isInteger(years)) throw new RangeError(`years must be a whole number: ${years}`);
  const year = Number(day.slice(0, 4)) + years;
  let monthDay = day.slice(5);
  if (monthDay === '02-29' && !isLeapYear(year)) monthDay = leapDay === 'feb28' ? '02-28' : '03-01';
  const out = `${String(year).padStart(4, '0')}-${monthDay}`;
  if (!isCalendarDate(out)) throw new RangeError(`${day} + ${years} years is outside the calendar`);
  return out;
}

/** The day a person born on `birthDate` turns `age`. */
export function birthdayAt(birthDate: string, age: number, leapDay: LeapDayRule = 'feb28'): string {
  return addYears(birthDate, age, leapDay);
}

/** Completed years of age on `day`: the birthday itself counts (a person turns 18 on their 18th birthday). */
export function ageAt(birthDate: string, day: string, leapDay: LeapDayRule = 'feb28'): number {
  checkDay(birthDate, 'birth date');
  checkDay(day, 'date');
  const age = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return birthdayAt(birthDate, age, leapDay) > day ? age - 1 : age;
}

/** The latest of the days (four-digit years order as text). */
export function laterOf(first: string, ...rest: string[]): string {
  for (const day of [first, ...rest]) checkDay(day, 'date');
  return rest.reduce((latest, day) => (day > latest ? day : latest), first);
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The UTC day of a date or an ISO 8601 timestamp with a zone (S3 Inventory's Object Lock dates). */
export function utcDayOf(text: string): string {
  if (isCalendarDate(text)) return text;
  const wellFormed = TIMESTAMP.test(text) && isCalendarDate(text.slice(0, 10));
  const at = wellFormed ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) throw new RangeError(`not a date or a timestamp with a zone: ${text}`);
  return utcDay(at);
}
