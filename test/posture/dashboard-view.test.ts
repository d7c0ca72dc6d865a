import { describe, expect, it } from 'vitest';
import { coverageState, hourlyFocus, pagePath, panelStatus, timeAgo, utcText, windowHref, windowInput } from '@/components/posture/dashboard-view';
import type { LogCoverage, SourceCoverage } from '@/lib/engine/port';

const source = (over: Partial<SourceCoverage> = {}): SourceCoverage => ({ daysWithLogs: 30, daysWithout: 0, gaps: [], firstDay: '2026-10-02', lastDay: '2026-10-31', ...over });
const coverage = (sources: LogCoverage['sources']): LogCoverage => ({ from: '2026-10-02', to: '2026-10-31', sources });

describe('the posture page: window addresses', () => {
  it('names presets by days (the default is the bare page) and custom ranges by their days', () => {
    expect(windowHref({ days: 30 })).toBe('/posture');
    expect(windowHref({ days: 7 })).toBe('/posture?days=7');
    expect(windowHref({ from: '2026-10-01', to: '2026-10-10' })).toBe('/posture?from=2026-10-01&to=2026-10-10');
  });

  it('reads only the keys it knows, once each, and rebuilds the address to come back to', () => {
    const input = windowInput({ days: '90', from: '', to: undefined, _rsc: 'x', other: ['a', 'b'] });
    expect(input).toEqual({ days: '90' });
    expect(pagePath(input)).toBe('/posture?days=90');
    expect(pagePath({})).toBe('/posture');
    expect(windowInput({ from: ['2026-10-01', '2026-10-02'], to: '2026-10-05' })).toEqual({ to: '2026-10-05' });
  });
});

describe('the posture page: an empty answer never passes for good news', () => {
  it('says none when no log the figure reads was delivered in its window', () => {
    expect(coverageState(coverage({ cloudtrail: source({ daysWithLogs: 0, daysWithout: 30, gaps: [{ from: '2026-10-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }] }) }), ['cloudtrail'])).toBe('none');
  });

  it('says partial when one source is missing or has gaps, complete when every hour is covered', () => {
    const gap = { from: '2026-10-12T04:00:00Z', to: '2026-10-12T07:00:00Z' };
    expect(coverageState(coverage({ cloudtrail: source({ gaps: [gap] }) }))).toBe('partial');
    expect(coverageState(coverage({ cloudtrail: source(), s3_access_logs: source({ daysWithLogs: 0, gaps: [gap] }) }), ['cloudtrail', 's3_access_logs'])).toBe('partial');
    expect(coverageState(coverage({ cloudtrail: source() }), ['cloudtrail'])).toBe('complete');
  });

  it('counts an earlier inventory report standing in for a window without one, and ignores sources the panel does not read', () => {
    const inventory = source({ daysWithLogs: 0, gaps: [{ from: '2026-10-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }], firstDay: '2026-09-01' });
    expect(coverageState(coverage({ s3_inventory: inventory }), ['s3_inventory'])).toBe('partial');
    expect(coverageState(coverage({ s3_inventory: { ...inventory, firstDay: null, lastDay: null } }), ['s3_inventory'])).toBe('none');
    expect(coverageState(coverage({ s3_inventory: source() }), ['cloudtrail'])).toBe('unknown');
    expect(coverageState(null)).toBe('unknown');
  });

  it('shows "No logs" in place of a headline whose window has none, whatever the headline says', () => {
    expect(panelStatus('ok', 'none')).toEqual({ tone: 'warning', label: 'No logs' });
    expect(panelStatus('ok', 'complete')).toEqual({ tone: 'success', label: 'Healthy' });
    expect(panelStatus('attention', 'partial').label).toBe('Needs attention');
    expect(panelStatus('unknown', 'unknown').label).toBe('Not recorded');
  });
});

describe('the posture page: times and the hourly chart', () => {
  it('says how long ago the figures were recorded', () => {
    const now = new Date('2026-10-31T09:16:00Z');
    expect(timeAgo('2026-10-31T09:15:40Z', now)).toBe('just now');
    expect(timeAgo('2026-10-31T09:12:00Z', now)).toBe('4 minutes ago');
    expect(timeAgo('2026-10-31T08:12:00Z', now)).toBe('1 hour ago');
    expect(timeAgo('2026-10-28T09:12:00Z', now)).toBe('3 days ago');
  });

  it('writes UTC times as tables show them', () => {
    expect(utcText('2026-10-19T15:54:12Z')).toBe('2026-10-19 15:54:12');
    expect(utcText('2026-10-19T15')).toBe('2026-10-19 15:00');
    expect(utcText('2026-10-19T15:54:12.345Z')).toBe('2026-10-19 15:54:12');
  });

  it('shows every hour of a month, and the days around each spike of a longer window', () => {
    const hours = (n: number) => Array.from({ length: n }, (_, i) => ({ hour: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString().slice(0, 13) }));
    const month = hours(30 * 24);
    expect(hourlyFocus(month, [])).toEqual({ hours: month, focused: false });
    const year = hours(365 * 24);
    const spike = [year[5000]!.hour, year[5001]!.hour];
    const focus = hourlyFocus(year, [spike]);
    expect(focus.focused).toBe(true);
    expect(focus.hours).toHaveLength(2 + 48);
    expect(focus.hours[0]!.hour).toBe(year[4976]!.hour);
    expect(focus.hours.at(-1)!.hour).toBe(year[5025]!.hour);
    expect(hourlyFocus(year, []).hours).toEqual(year.slice(-7 * 24));
  });
});
