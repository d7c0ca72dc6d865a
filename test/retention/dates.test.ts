import { describe, expect, it } from 'vitest';
import { addYears, ageAt, birthdayAt, isLeapYear, laterOf, utcDayOf } from '@/lib/retention/dates';

describe('adding calendar years to a day', () => {
  it('keeps the month and day', () => {
    expect(addYears('2019-02-28', 7)).toBe('2026-02-28');
    expect(addYears('2019-03-01', 7)).toBe('2026-03-01');
    expect(addYears('2019-12-31', 7)).toBe('2026-12-31');
    expect(addYears('2026-02-28', -7)).toBe('2019-02-28');
  });

  it('takes 29 February + 7 years to 28 February of the common year, or 1 March under the mar1 reading', () => {
    expect(addYears('2020-02-29', 7)).toBe('2027-02-28');
    expect(addYears('2020-02-29', 7, 'feb28')).toBe('2027-02-28');
    expect(addYears('2020-02-29', 7, 'mar1')).toBe('2027-03-01');
  });

  it('keeps 29 February when the target year is a leap year, under either reading', () => {
    expect(addYears('2020-02-29', 8)).toBe('2028-02-29');
    expect(addYears('2020-02-29', 8, 'mar1')).toBe('2028-02-29');
    expect(addYears('2024-02-29', -4)).toBe('2020-02-29');
  });

  it('knows the Gregorian leap years (every 4th, not every 100th, every 400th)', () => {
    expect([1900, 2000, 2024, 2027, 2100].map(isLeapYear)).toEqual([false, true, true, false, false]);
    expect(addYears('2000-02-29', 100)).toBe('2100-02-28');
    expect(addYears('2000-02-29', 400)).toBe('2400-02-29');
  });

  it('refuses what is not a calendar date, fractional years and results outside four-digit years', () => {
    expect(() => addYears('2019-02-30', 1)).toThrow(RangeError);
    expect(() => addYears('2019-2-28', 1)).toThrow(/not a calendar date/);
    expect(() => addYears('2019-02-28', 1.5)).toThrow(/whole number/);
    expect(() => addYears('9995-01-01', 7)).toThrow(/outside the calendar/);
  });
});

describe('birthdays and ages', () => {
  it('gives a child born on 29 February a 21st birthday on 28 February (or 1 March) of a common year', () => {
    expect(birthdayAt('2008-02-29', 21)).toBe('2029-02-28');
    expect(birthdayAt('2008-02-29', 21, 'mar1')).toBe('2029-03-01');
    expect(birthdayAt('2008-02-29', 24)).toBe('2032-02-29');
    expect(birthdayAt('2076-02-29', 24)).toBe('2100-02-28');
  });

  it('counts completed years, the birthday itself included', () => {
    expect(ageAt('2001-03-10', '2019-03-09')).toBe(17);
    expect(ageAt('2001-03-10', '2019-03-10')).toBe(18);
    expect(ageAt('2001-03-10', '2001-03-10')).toBe(0);
    expect(ageAt('2001-03-10', '2001-03-09')).toBe(-1);
  });

  it('ages a person born on 29 February on 28 February or on 1 March of common years, by the reading', () => {
    expect(ageAt('2008-02-29', '2026-02-27')).toBe(17);
    expect(ageAt('2008-02-29', '2026-02-28')).toBe(18);
    expect(ageAt('2008-02-29', '2026-02-28', 'mar1')).toBe(17);
    expect(ageAt('2008-02-29', '2026-03-01', 'mar1')).toBe(18);
    expect(ageAt('2008-02-29', '2028-02-28')).toBe(19);
    expect(ageAt('2008-02-29', '2028-02-29')).toBe(20);
  });
});

describe('later-of and the UTC day of a lock date', () => {
  it('picks the latest day', () => {
    expect(laterOf('2026-02-28')).toBe('2026-02-28');
    expect(laterOf('2026-02-28', '2034-02-28', '2029-02-28')).toBe('2034-02-28');
    expect(laterOf('2034-02-28', '2026-02-28')).toBe('2034-02-28');
    expect(() => laterOf('2026-02-28', '2026-2-1')).toThrow(RangeError);
  });

  it('reads dates and zoned timestamps as UTC days', () => {
    expect(utcDayOf('2031-02-28')).toBe('2031-02-28');
    expect(utcDayOf('2031-02-28T00:00:00.000Z')).toBe('2031-02-28');
    expect(utcDayOf('2031-02-28T23:30:00-05:00')).toBe('2031-03-01');
    expect(() => utcDayOf('2031-02-30T00:00:00Z')).toThrow(RangeError);
    expect(() => utcDayOf('2031-02-28T00:00:00')).toThrow(/with a zone/);
    expect(() => utcDayOf('soon')).toThrow(RangeError);
  });
});
