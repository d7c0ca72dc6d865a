import { describe, expect, it } from 'vitest';
import { AGE_BANDS, ageBand, studyAgeYears } from '@/lib/posture/age-bands';

describe('study-age bands', () => {
  it('are 0–1, 1–3, 3–7 and 7+ years, in that order', () => {
    expect(AGE_BANDS).toEqual(['0-1', '1-3', '3-7', '7+']);
  });

  it.each([
    ['2026-10-31', '2026-10-31', 0, '0-1'],
    ['2025-10-31', '2026-10-30', 0, '0-1'],
    ['2025-10-31', '2026-10-31', 1, '1-3'],
    ['2023-11-01', '2026-10-31', 2, '1-3'],
    ['2023-10-31', '2026-10-31', 3, '3-7'],
    ['2019-11-01', '2026-10-31', 6, '3-7'],
    ['2019-10-31', '2026-10-31', 7, '7+'],
    ['1998-03-15', '2026-10-31', 28, '7+'],
  ])('a study of %s, on %s, is %i completed years old: band %s', (study, asOf, years, band) => {
    expect(studyAgeYears(study, asOf)).toBe(years);
    expect(ageBand(study, asOf)).toBe(band);
  });

  it('counts calendar years, not 365-day blocks: leap days do not move a boundary', () => {
    // 2,556 days (two leap days inside) and still six years old: a 2,555-day rule would say seven
    const study = '2019-11-01';
    const asOf = '2026-10-31';
    expect((Date.parse(asOf) - Date.parse(study)) / 86_400_000).toBe(2556);
    expect(ageBand(study, asOf)).toBe('3-7');
    // 365 days after 2023-03-01 is 2024-02-29: not yet a year
    expect(ageBand('2023-03-01', '2024-02-29')).toBe('0-1');
    expect(ageBand('2023-03-01', '2024-03-01')).toBe('1-3');
  });

  it('puts the anniversary of a 29 February study on 28 February in common years', () => {
    expect(studyAgeYears('2020-02-29', '2021-02-27')).toBe(0);
    expect(studyAgeYears('2020-02-29', '2021-02-28')).toBe(1);
    expect(studyAgeYears('2020-02-29', '2023-02-28')).toBe(3);
    expect(studyAgeYears('2020-02-29', '2024-02-28')).toBe(3);
    expect(studyAgeYears('2020-02-29', '2024-02-29')).toBe(4);
    expect(ageBand('2016-02-29', '2023-02-27')).toBe('3-7');
    expect(ageBand('2016-02-29', '2023-02-28')).toBe('7+');
  });

  it('refuses dates that are not calendar days and studies after the as-of day', () => {
    expect(() => ageBand('2026-02-29', '2026-10-31')).toThrow(/study date is not a calendar date/);
    expect(() => ageBand('2026-01-01', '31/10/2026')).toThrow(/as-of date is not a calendar date/);
    expect(() => ageBand('2026-11-01', '2026-10-31')).toThrow(/after the as-of date/);
  });
});
