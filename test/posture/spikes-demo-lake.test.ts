import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake, type Truth } from '@/lib/lake/generate';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import { assessHours, hourlySeries, refineSpike, SPIKE_MIN_COUNT, spikesFrom, type HourAssessment, type Spike } from '@/lib/posture/spikes';

type Denial = { eventID: string; eventTime: string; principal: string };

/** Every Decrypt refused by KMS in the lake's CloudTrail log files, duplicates delivered twice counted once. */
function decryptDenials(lake: string): Denial[] {
  const byId = new Map<string, Denial>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'CloudTrail-Digest') walk(full);
      } else if (entry.name.endsWith('.json.gz') && full.includes(`${path.sep}CloudTrail${path.sep}`)) {
        const { Records } = JSON.parse(zlib.gunzipSync(fs.readFileSync(full)).toString('utf8')) as { Records: Record<string, unknown>[] };
        for (const r of Records) {
          if (r.eventSource !== 'kms.amazonaws.com' || r.eventName !== 'Decrypt') continue;
          if (r.errorCode !== 'AccessDenied' && r.errorCode !== 'AccessDeniedException') continue;
          const principal = String((r.userIdentity as { arn?: string } | undefined)?.arn ?? '');
          byId.set(String(r.eventID), { eventID: String(r.eventID), eventTime: String(r.eventTime), principal });
        }
      }
    }
  };
  walk(path.join(lake, 'AWSLogs'));
  return [...byId.values()];
}

describe('the demo lake: the planted Decrypt access-denied burst', () => {
  let root: string;
  let truth: Truth;
  let denials: Denial[];
  let hours: HourAssessment[];
  let spikes: Spike[];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-posture-'));
    // the options `npm start` generates the demo lake with: the generator's defaults
    const summary = await generateLake({ outDir: path.join(root, 'lake'), layout: DEFAULT_LAYOUT, workers: 0 });
    truth = JSON.parse(fs.readFileSync(summary.truthPath, 'utf8')) as Truth;
    denials = decryptDenials(summary.outDir).filter((d) => d.eventTime >= `${truth.window.from}T00` && d.eventTime < `${truth.window.to}T24`);
    const series = hourlySeries(
      denials.map((d) => ({ hour: d.eventTime.slice(0, 13), count: 1 })),
      truth.window.from,
      truth.window.to,
    );
    hours = assessHours(series);
    spikes = spikesFrom(hours);
  }, 180_000);

  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads the refusals the generator planted, the burst and the background ones', () => {
    expect(truth.window).toEqual({ from: '2026-10-02', to: '2026-10-31' });
    expect(denials.length).toBe(truth.decryptDeniedHourly.reduce((sum, h) => sum + h.count, 0));
    const outside = denials.filter((d) => d.eventTime < truth.decryptDenied.from || d.eventTime > truth.decryptDenied.to);
    // ordinary noise exists, so "nothing else flagged" is a claim about it
    expect(outside.length).toBeGreaterThanOrEqual(5);
    expect(new Set(outside.map((d) => d.eventTime.slice(0, 10))).size).toBeGreaterThanOrEqual(3);
  });

  it('flags exactly one spike, the two clock hours of the burst, and nothing else in the 30 days', () => {
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ start: '2026-10-19T15:00:00Z', end: '2026-10-19T17:00:00Z', count: 68, baseline: 0 });
    expect(hours.filter((h) => h.flagged).map((h) => h.hour)).toEqual(['2026-10-19T15', '2026-10-19T16']);
    // the busiest ordinary hour: a research export refused a few times, well under the minimum count
    const busiestElsewhere = Math.max(...hours.filter((h) => !h.flagged).map((h) => h.count));
    expect(busiestElsewhere).toBeGreaterThan(0);
    expect(busiestElsewhere).toBeLessThan(SPIKE_MIN_COUNT);
  });

  it('narrows the spike to the burst as planted: 15:54 to 16:25 UTC on 2026-10-19, 68 refusals', () => {
    const refined = refineSpike(spikes[0]!, denials.map((d) => ({ time: d.eventTime })), hours);
    expect(refined.first).toBe(truth.decryptDenied.from);
    expect(refined.last).toBe(truth.decryptDenied.to);
    expect(refined.start.slice(0, 16)).toBe('2026-10-19T15:54');
    expect(refined.last!.slice(0, 16)).toBe('2026-10-19T16:25');
    expect(refined.end).toBe('2026-10-19T16:25:08Z');
    expect(refined.count).toBe(68);
    expect(refined.count).toBe(truth.decryptDenied.count);
  });

  it('finds the same burst from per-minute counts, and with the seasons in the demo time zone', () => {
    const perMinute = new Map<string, number>();
    for (const d of denials) perMinute.set(d.eventTime.slice(0, 16), (perMinute.get(d.eventTime.slice(0, 16)) ?? 0) + 1);
    const refined = refineSpike(spikes[0]!, [...perMinute].map(([time, count]) => ({ time, count })), hours);
    expect([refined.start, refined.last, refined.end, refined.count]).toEqual(['2026-10-19T15:54:00Z', '2026-10-19T16:25:00Z', '2026-10-19T16:26:00Z', 68]);

    const local = assessHours(hours.map((h) => ({ hour: h.hour, count: h.count })), { timeZone: truth.timeZone });
    expect(spikesFrom(local).map((s) => [s.start, s.end, s.count])).toEqual([['2026-10-19T15:00:00Z', '2026-10-19T17:00:00Z', 68]]);
  });
});
