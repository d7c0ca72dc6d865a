import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CoverageNotice, describeCoverage, gapText } from '@/components/query/coverage-notice';
import type { LogCoverage, SourceCoverage } from '@/lib/engine/port';

// The notice that states a result's log coverage next to it, rendered as the run page does.

const render = (coverage: LogCoverage | null) => renderToStaticMarkup(createElement(CoverageNotice, { coverage }));
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ').trim();

const full = (days: number): SourceCoverage => ({ daysWithLogs: days, daysWithout: 0, gaps: [], firstDay: '2026-10-02', lastDay: '2026-10-31' });
const none = (from: string, toNext: string, days: number): SourceCoverage => ({
  daysWithLogs: 0,
  daysWithout: days,
  gaps: [{ from: `${from}T00:00:00Z`, to: `${toNext}T00:00:00Z` }],
  firstDay: '2026-10-02',
  lastDay: '2026-10-31',
});

describe('CoverageNotice', () => {
  it('warns prominently when a source has no logs at all in the window, naming where the lake ends', () => {
    const html = render({
      from: '2026-11-03',
      to: '2026-12-03',
      sources: { cloudtrail: none('2026-11-03', '2026-12-04', 31), s3_access_logs: none('2026-11-03', '2026-12-04', 31) },
    });
    expect(html).toContain('role="status"');
    expect(html).toContain('border-amber-200');
    expect(text(html)).toContain('Logs are missing for this window');
    expect(text(html)).toContain('No CloudTrail logs cover 2026-11-03 … 2026-12-03; the lake ends 2026-10-31.');
    expect(text(html)).toContain('No S3 access logs cover 2026-11-03 … 2026-12-03; the lake ends 2026-10-31.');
    expect(text(html)).not.toContain('Logs cover every day');
  });

  it('names each gap of a partly covered source, and says quietly which sources are complete', () => {
    const html = render({
      from: '2026-10-02',
      to: '2026-10-31',
      sources: {
        cloudtrail: { ...full(30), gaps: [{ from: '2026-10-12T04:00:00Z', to: '2026-10-12T07:00:00Z' }, { from: '2026-10-30T22:00:00Z', to: '2026-10-31T02:00:00Z' }] },
        s3_access_logs: full(30),
      },
    });
    expect(text(html)).toContain('The logs have gaps in this window');
    expect(text(html)).toContain('CloudTrail: no logs 2026-10-12 04:00 – 07:00 UTC; 2026-10-30 22:00 – 2026-10-31 02:00 UTC.');
    expect(text(html)).toContain('Logs cover every day of the window (S3 access logs).');
  });

  it('is one quiet line when the logs cover the whole window, and nothing without coverage', () => {
    const html = render({ from: '2026-10-02', to: '2026-10-31', sources: { cloudtrail: full(30), s3_access_logs: full(30) } });
    expect(html).toBe('<p class="mb-4 text-sm text-slate-500">Logs cover every day of the window (CloudTrail, S3 access logs).</p>');
    expect(render(null)).toBe('');
  });

  it('warns for a storage query dated before any inventory report; a later day reads the latest report before it', () => {
    const before = describeCoverage({
      from: '2026-09-01',
      to: '2026-09-01',
      sources: { s3_inventory: { daysWithLogs: 0, daysWithout: 1, gaps: [{ from: '2026-09-01T00:00:00Z', to: '2026-09-02T00:00:00Z' }], firstDay: '2026-10-04', lastDay: '2026-10-31' } },
    });
    expect(before.missing).toEqual(['No S3 Inventory report on or before 2026-09-01; the first report is 2026-10-04.']);
    const between = describeCoverage({
      from: '2026-10-14',
      to: '2026-10-14',
      sources: { s3_inventory: { daysWithLogs: 0, daysWithout: 1, gaps: [{ from: '2026-10-14T00:00:00Z', to: '2026-10-15T00:00:00Z' }], firstDay: '2026-10-04', lastDay: '2026-10-31' } },
    });
    expect(between).toEqual({ missing: [], partial: ['S3 Inventory: no report in 2026-10-14; the result reads the latest report before it.'], complete: [] });
  });

  it('explains a window before the logs begin, and a source never delivered', () => {
    const c = describeCoverage({
      from: '2026-01-01',
      to: '2026-01-31',
      sources: { cloudtrail: none('2026-01-01', '2026-02-01', 31), s3_access_logs: { ...none('2026-01-01', '2026-02-01', 31), firstDay: null, lastDay: null } },
    });
    expect(c.missing).toEqual(['No CloudTrail logs cover 2026-01-01 … 2026-01-31; the logs begin 2026-10-02.', 'No S3 access logs cover 2026-01-01 … 2026-01-31: none have been delivered.']);
  });

  it('writes whole-day gaps as days, both ends inclusive', () => {
    expect(gapText({ from: '2026-10-05T00:00:00Z', to: '2026-10-11T00:00:00Z' })).toBe('2026-10-05 – 2026-10-10');
    expect(gapText({ from: '2026-10-05T00:00:00Z', to: '2026-10-06T00:00:00Z' })).toBe('2026-10-05');
  });
});
