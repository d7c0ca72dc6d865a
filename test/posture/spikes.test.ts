import { describe, expect, it } from 'vitest';
import {
  assessHours,
  BURST_GAP_MINUTES,
  detectSpikes,
  describeSpikeMethod,
  hourlySeries,
  refineSpike,
  SPIKE_K,
  SPIKE_METHOD,
  SPIKE_MIN_COUNT,
  SPIKE_SEASON_DAYS,
  SPIKE_WARMUP_HOURS,
  spikesFrom,
} from '@/lib/posture/spikes';
import { synthetic, withBursts } from './series';

// 2026-08-03 is a Monday; eight weeks of hours from it.
const FROM = '2026-08-03';
const WEEKS_8 = 56;

describe('spike detection on synthetic series', () => {
  it.each([0.3, 2, 8, 25])('flat Poisson noise (mean %s per hour) over eight weeks is never flagged', (lambda) => {
    const series = synthetic(FROM, WEEKS_8, 1000 + lambda * 10, () => lambda);
    const hours = assessHours(series);
    expect(detectSpikes(series)).toEqual([]);
    // the seasonal baseline judged all but the warm-up and the days before their kind of day had five samples:
    // Tuesday to Friday of the first week, and the first five weekend days
    expect(hours.filter((h) => h.basis === 'season').length).toBe(series.length - 24 - 4 * 24 - 5 * 24);
    expect(Math.max(...series.map((h) => h.count))).toBeGreaterThan(lambda);
  });

  it('a business-hours pattern (a rush at 9:00 every weekday) is not flagged, though each rush alone would pass the minimum count', () => {
    const mean = (ms: number) => {
      const d = new Date(ms);
      const weekday = d.getUTCDay() % 6 !== 0;
      const h = d.getUTCHours();
      if (weekday && h === 9) return 40;
      if (weekday && h >= 8 && h < 17) return 4;
      return 0.5;
    };
    const series = synthetic(FROM, WEEKS_8, 7, mean);
    const rushes = series.filter((h) => h.hour.endsWith('T09') && new Date(`${h.hour}:00:00Z`).getUTCDay() % 6 !== 0);
    expect(rushes).toHaveLength(40);
    expect(Math.min(...rushes.map((h) => h.count))).toBeGreaterThanOrEqual(SPIKE_MIN_COUNT);
    expect(detectSpikes(series)).toEqual([]);
  });

  it('a pattern in local time stays unflagged across a daylight-saving change only when the seasons follow that time zone', () => {
    // New York leaves daylight time on 2026-11-01: the 9:00 rush moves from 13:00 to 14:00 UTC.
    const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    const mean = (ms: number) => {
      const p = Object.fromEntries(local.formatToParts(ms).map((x) => [x.type, x.value]));
      const weekday = p.weekday !== 'Sat' && p.weekday !== 'Sun';
      const h = Number(p.hour);
      if (weekday && h === 9) return 40;
      if (weekday && h >= 8 && h < 17) return 4;
      return 0.5;
    };
    const series = synthetic('2026-09-28', WEEKS_8, 11, mean);
    expect(detectSpikes(series, { timeZone: 'America/New_York' })).toEqual([]);
    const utc = detectSpikes(series);
    expect(utc.length).toBeGreaterThan(0);
    expect(utc.every((s) => s.start >= '2026-11-02T14' && s.start.slice(11, 13) === '14')).toBe(true);
  });

  it('a single isolated burst is flagged once, at its hour, with the noise around it left alone', () => {
    const noise = synthetic(FROM, WEEKS_8, 21, () => 2);
    const series = withBursts(noise, { '2026-09-09T14': 60 });
    const spikes = detectSpikes(series);
    expect(spikes).toHaveLength(1);
    const [spike] = spikes;
    expect(spike!.start).toBe('2026-09-09T14:00:00Z');
    expect(spike!.end).toBe('2026-09-09T15:00:00Z');
    expect(spike!.count).toBe(noise.find((h) => h.hour === '2026-09-09T14')!.count + 60);
    expect(spike!.baseline).toBeLessThanOrEqual(3);
    expect(spike!.score).toBeGreaterThan(SPIKE_K);
  });

  it('two bursts separated by a quiet hour are two spikes; adjacent ones are one', () => {
    const noise = synthetic(FROM, WEEKS_8, 22, () => 1);
    const apart = detectSpikes(withBursts(noise, { '2026-09-16T10': 50, '2026-09-16T12': 50 }));
    expect(apart.map((s) => [s.start, s.end])).toEqual([
      ['2026-09-16T10:00:00Z', '2026-09-16T11:00:00Z'],
      ['2026-09-16T12:00:00Z', '2026-09-16T13:00:00Z'],
    ]);
    const adjacent = detectSpikes(withBursts(noise, { '2026-09-16T10': 50, '2026-09-16T11': 50 }));
    expect(adjacent.map((s) => [s.start, s.end, s.hours.length])).toEqual([['2026-09-16T10:00:00Z', '2026-09-16T12:00:00Z', 2]]);
    expect(adjacent[0]!.baseline).toBe(adjacent[0]!.hours[0]!.baseline + adjacent[0]!.hours[1]!.baseline);
  });

  it('a burst does not raise the bar for the next one at the same hour (the baseline is a median)', () => {
    const noise = synthetic(FROM, WEEKS_8, 23, () => 1);
    const spikes = detectSpikes(withBursts(noise, { '2026-09-08T03': 40, '2026-09-09T03': 40, '2026-09-10T03': 40 }));
    expect(spikes.map((s) => s.start)).toEqual(['2026-09-08T03:00:00Z', '2026-09-09T03:00:00Z', '2026-09-10T03:00:00Z']);
  });

  it('needs the minimum count even where the baseline is zero', () => {
    const quiet = synthetic(FROM, 21, 24, () => 0);
    expect(detectSpikes(withBursts(quiet, { '2026-08-20T10': SPIKE_MIN_COUNT - 1 }))).toEqual([]);
    expect(detectSpikes(withBursts(quiet, { '2026-08-20T10': SPIKE_MIN_COUNT }))).toHaveLength(1);
  });

  it('judges no hour of the warm-up, and falls back to the recent level while a season has little history', () => {
    const series = withBursts(synthetic(FROM, 3, 25, () => 0), { '2026-08-03T05': 50, '2026-08-04T05': 50 });
    const hours = assessHours(series);
    expect(hours.slice(0, SPIKE_WARMUP_HOURS).every((h) => h.basis === 'warm-up' && !h.flagged && h.baseline === null)).toBe(true);
    const day2 = hours.find((h) => h.hour === '2026-08-04T05')!;
    // the same hour yesterday showed 50: with one sample of history, that is the bar
    expect(day2).toMatchObject({ basis: 'recent', baseline: 50, flagged: false });
  });

  it('refuses a series with a missing hour or a malformed one', () => {
    const series = synthetic(FROM, 2, 26, () => 1);
    expect(() => assessHours([...series.slice(0, 5), ...series.slice(6)])).toThrow(/not consecutive at 2026-08-03T06/);
    expect(() => assessHours([{ hour: '2026-08-03 00', count: 1 }])).toThrow(/not an hour/);
    expect(() => assessHours([{ hour: '2026-08-03T00', count: -1 }])).toThrow(/non-negative/);
  });
});

describe('hourly series from query rows', () => {
  it('sums rows of the same hour, fills the other hours with zeros and leaves out rows outside the days', () => {
    const rows = [
      { hour: '2026-10-19T15:00:00Z', count: 4 },
      { hour: '2026-10-19T15:00:00Z', count: 10 },
      { hour: '2026-10-20T23:00:00Z', count: 2 },
      { hour: '2026-10-21T00:00:00Z', count: 99 },
    ];
    const series = hourlySeries(rows, '2026-10-19', '2026-10-20');
    expect(series).toHaveLength(48);
    expect(series[0]).toEqual({ hour: '2026-10-19T00', count: 0 });
    expect(series.find((h) => h.hour === '2026-10-19T15')!.count).toBe(14);
    expect(series[47]).toEqual({ hour: '2026-10-20T23', count: 2 });
    expect(series.reduce((sum, h) => sum + h.count, 0)).toBe(16);
  });
});

describe('narrowing a spike to its burst', () => {
  const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const base = Date.parse('2026-09-16T10:50:30Z');
  // 31 events a minute apart from 10:50:30 to 11:20:30, crossing the hour, plus strays
  const burst = Array.from({ length: 31 }, (_, i) => ({ time: at(base + i * 60_000) }));
  const strays = [{ time: '2026-09-16T10:05:00Z' }, { time: '2026-09-16T11:55:10Z' }, { time: '2026-09-16T09:30:00Z' }];
  const noise = synthetic(FROM, WEEKS_8, 27, () => 0.2);
  const series = withBursts(noise, { '2026-09-16T10': 11, '2026-09-16T11': 22 });

  it('goes from the first to the last event of the burst, leaving strays and another hour out', () => {
    const hours = assessHours(series);
    const [spike] = spikesFrom(hours);
    expect(spike).toMatchObject({ start: '2026-09-16T10:00:00Z', end: '2026-09-16T12:00:00Z' });
    const refined = refineSpike(spike!, [...strays, ...burst], hours);
    expect(refined.first).toBe('2026-09-16T10:50:30Z');
    expect(refined.last).toBe('2026-09-16T11:20:30Z');
    expect(refined.start).toBe('2026-09-16T10:50:30Z');
    expect(refined.end).toBe('2026-09-16T11:20:31Z');
    expect(refined.count).toBe(31);
    const b10 = hours.find((h) => h.hour === '2026-09-16T10')!.baseline!;
    const b11 = hours.find((h) => h.hour === '2026-09-16T11')!.baseline!;
    expect(refined.baseline).toBeCloseTo((b10 * 570) / 3600 + (b11 * 1231) / 3600, 9);
  });

  it('works from per-minute counts too, to the minute', () => {
    const hours = assessHours(series);
    const [spike] = spikesFrom(hours);
    const perMinute = [
      { time: '2026-09-16T10:50', count: 3 },
      { time: '2026-09-16T11:00', count: 5 },
      { time: '2026-09-16T11:08', count: 2 },
      { time: '2026-09-16T11:40', count: 1 },
    ];
    const refined = refineSpike(spike!, perMinute, hours);
    expect([refined.start, refined.last, refined.end, refined.count]).toEqual(['2026-09-16T10:50:00Z', '2026-09-16T11:08:00Z', '2026-09-16T11:09:00Z', 10]);
  });

  it(`splits events more than ${BURST_GAP_MINUTES} minutes apart into clusters and keeps those inside the spike`, () => {
    const hours = assessHours(series);
    const [spike] = spikesFrom(hours);
    const events = [
      ...['10:20:00', '10:21:00', '10:22:00'].map((t) => ({ time: `2026-09-16T${t}Z` })),
      ...['10:40:00', '10:41:00'].map((t) => ({ time: `2026-09-16T${t}Z` })),
      ...['11:40:00', '11:41:00', '11:42:00'].map((t) => ({ time: `2026-09-16T${t}Z` })),
      { time: '2026-09-16T11:55:00Z' },
    ];
    const refined = refineSpike(spike!, events, hours);
    // edges from the clusters of three; the count is every event between them
    expect([refined.first, refined.last, refined.count]).toEqual(['2026-09-16T10:20:00Z', '2026-09-16T11:42:00Z', 8]);
  });

  it('keeps the hourly span when no event is given', () => {
    const hours = assessHours(series);
    const [spike] = spikesFrom(hours);
    expect(refineSpike(spike!, [], hours)).toEqual({ ...spike, first: null, last: null });
    expect(() => refineSpike(spike!, [{ time: '16/09/2026 10:00' }], hours)).toThrow(/not a UTC time/);
  });
});

describe('the method as stated on the page', () => {
  it('states the baseline, the thresholds and the minimum count with the values in force', () => {
    expect(SPIKE_METHOD).toContain(`previous ${SPIKE_SEASON_DAYS} days`);
    expect(SPIKE_METHOD).toContain(`plus ${SPIKE_K} spreads`);
    expect(SPIKE_METHOD).toContain(`least ${SPIKE_MIN_COUNT}`);
    expect(SPIKE_METHOD).toContain('median absolute deviation');
    expect(SPIKE_METHOD).toContain('in UTC time');
    expect(describeSpikeMethod({ timeZone: 'America/New_York', k: 4 })).toContain('in America/New_York time');
    expect(describeSpikeMethod({ k: 4 })).toContain('plus 4 spreads');
  });

  it('flags with the options it is given', () => {
    const series = withBursts(synthetic(FROM, 21, 28, () => 1), { '2026-08-20T10': 12 });
    expect(detectSpikes(series)).toHaveLength(1);
    expect(detectSpikes(series, { minCount: 20 })).toEqual([]);
    const hours = assessHours(series, { k: 3 });
    const h = hours.find((x) => x.hour === '2026-08-20T10')!;
    expect(h.threshold).toBeCloseTo(h.baseline! + 3 * h.spread!, 12);
  });
});
