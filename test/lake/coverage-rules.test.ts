import { describe, expect, it } from 'vitest';
import {
  accessLogDelivery,
  buildCoverage,
  cloudTrailDelivery,
  coverageTables,
  inventoryDelivery,
  lastDeliveryDay,
  sourceCoverage,
  type Delivery,
  type SourceListing,
} from '@/lib/lake/coverage';
import { accessLogKey, cloudTrailLogKey, DEFAULT_LAYOUT } from '@/lib/lake/layout';

// The arithmetic of log coverage, on keys written exactly as AWS names them.

const ct = (at: string, region = 'us-east-1', account = '111122223333') =>
  cloudTrailDelivery(cloudTrailLogKey(DEFAULT_LAYOUT, { account }, region, new Date(at), 'Mu0KsOhtH1ar15ZZ'))!;

const listing = (deliveries: Delivery[], extra: Partial<SourceListing> = {}): SourceListing => ({
  source: 'cloudtrail',
  locations: [...new Set(deliveries.map((d) => d.location))],
  deliveries,
  firstDay: null,
  lastDay: null,
  ...extra,
});

/** A delivery every 10 minutes from `from` (inclusive) to `to` (exclusive). */
function every10Minutes(from: string, to: string, region = 'us-east-1'): Delivery[] {
  const out: Delivery[] = [];
  for (let t = Date.parse(from) + 3 * 60_000; t < Date.parse(to); t += 10 * 60_000) out.push(ct(new Date(t).toISOString(), region));
  return out;
}

describe('object keys → deliveries', () => {
  it('reads the Region and delivery minute of a CloudTrail log file, organization trails included', () => {
    const key = 'AWSLogs/o-h7c2k9x4m1/210987654321/CloudTrail/us-west-2/2026/10/12/210987654321_CloudTrail_us-west-2_20261012T0455Z_Ab12Cd34Ef56Gh78.json.gz';
    expect(cloudTrailDelivery(key)).toEqual({ location: 'us-west-2', at: Date.parse('2026-10-12T04:55:00Z'), precision: 'minute' });
    expect(cloudTrailDelivery(key.replace('CloudTrail/us-west-2', 'CloudTrail-Digest/us-west-2'))).toBeNull();
    expect(cloudTrailDelivery('truth.json')).toBeNull();
  });

  it('reads S3 access log keys: EventTime partitions by day, DeliveryTime partitions and SimplePrefix by the second', () => {
    const at = new Date('2026-10-12T04:05:06Z');
    const eventTime = accessLogKey(DEFAULT_LAYOUT, '210987654321', 'us-east-1', 'archive-bucket', at, 'E568B2907131C0C0');
    expect(accessLogDelivery(DEFAULT_LAYOUT, eventTime)).toEqual({
      location: '210987654321/us-east-1/archive-bucket',
      at: Date.parse('2026-10-12T00:00:00Z'),
      precision: 'day',
    });
    const deliveryTime = accessLogKey(DEFAULT_LAYOUT, '210987654321', 'us-east-1', 'archive-bucket', at, 'E568B2907131C0C0', 'DeliveryTime');
    expect(accessLogDelivery(DEFAULT_LAYOUT, deliveryTime)).toEqual({ location: '210987654321/us-east-1/archive-bucket', at: at.getTime(), precision: 'minute' });
    // SimplePrefix: [prefix]YYYY-MM-DD-hh-mm-ss-UniqueString, no slash inserted after the prefix
    expect(accessLogDelivery(DEFAULT_LAYOUT, 's3-access-logs/2013-11-01-21-32-16-E568B2907131C0C0')).toEqual({
      location: 's3-access-logs/',
      at: Date.parse('2013-11-01T21:32:16Z'),
      precision: 'minute',
    });
    expect(accessLogDelivery({ ...DEFAULT_LAYOUT, accessLogPrefix: 'logs' }, 'logs2013-11-01-21-32-16-E568B2907131C0C0')?.at).toBe(Date.parse('2013-11-01T21:32:16Z'));
    expect(accessLogDelivery(DEFAULT_LAYOUT, 'elsewhere/2013-11-01-21-32-16-E568B2907131C0C0')).toBeNull();
    expect(accessLogDelivery(DEFAULT_LAYOUT, 's3-access-logs/notes.txt')).toBeNull();
  });

  it('takes only log tables', () => {
    expect(coverageTables(['study_catalog', 's3_inventory', 'cloudtrail_logs', 'cloudtrail_logs'])).toEqual(['s3_inventory', 'cloudtrail_logs']);
    expect(coverageTables(['study_catalog'])).toEqual([]);
  });
});

describe('hours, days and gaps', () => {
  const window = { from: '2026-10-12', to: '2026-10-13' };

  it('merges the hours some Region delivered nothing for into half-open gaps, while the other kept going', () => {
    const east = [...every10Minutes('2026-10-12T00:00:00Z', '2026-10-12T04:00:00Z'), ...every10Minutes('2026-10-12T07:00:00Z', '2026-10-14T00:00:00Z')];
    const west = every10Minutes('2026-10-12T00:00:00Z', '2026-10-14T00:00:00Z', 'us-west-2');
    expect(sourceCoverage(window, listing([...east, ...west]))).toEqual({
      daysWithLogs: 2,
      daysWithout: 0,
      gaps: [{ from: '2026-10-12T04:00:00Z', to: '2026-10-12T07:00:00Z' }],
      firstDay: null,
      lastDay: null,
    });
  });

  it('counts a file for the hour it was delivered in: a late file does not fill an earlier hour', () => {
    // logging resumes at 07:00:20; the first file arrives at 07:02 and holds only events after it
    const deliveries = [...every10Minutes('2026-10-12T00:00:00Z', '2026-10-12T04:00:00Z'), ct('2026-10-12T07:02:00Z'), ...every10Minutes('2026-10-12T07:10:00Z', '2026-10-14T00:00:00Z')];
    expect(sourceCoverage(window, listing(deliveries)).gaps).toEqual([{ from: '2026-10-12T04:00:00Z', to: '2026-10-12T07:00:00Z' }]);
  });

  it('does not count a day whose files all arrived in its first half hour: the day before\'s late events after logging ended', () => {
    const deliveries = [...every10Minutes('2026-10-12T00:00:00Z', '2026-10-13T00:00:00Z'), ct('2026-10-13T00:04:00Z'), ct('2026-10-13T00:12:00Z')];
    expect(sourceCoverage(window, listing(deliveries))).toMatchObject({
      daysWithLogs: 1,
      daysWithout: 1,
      gaps: [{ from: '2026-10-13T00:00:00Z', to: '2026-10-14T00:00:00Z' }],
    });
    // one more file later that day, and the early ones are that day's own
    const more = sourceCoverage(window, listing([...deliveries, ct('2026-10-13T00:45:00Z')]));
    expect(more.gaps).toEqual([{ from: '2026-10-13T01:00:00Z', to: '2026-10-14T00:00:00Z' }]);
    expect(lastDeliveryDay('cloudtrail', '2026-10-13', deliveries)).toBe('2026-10-12');
    expect(lastDeliveryDay('cloudtrail', '2026-10-13', [...deliveries, ct('2026-10-13T00:45:00Z')])).toBe('2026-10-13');
    expect(lastDeliveryDay('s3_access_logs', '2026-10-13', deliveries)).toBe('2026-10-13');
  });

  it('makes the whole window one gap when nothing was delivered in it, or nowhere is known to deliver', () => {
    const silent = listing([], { locations: ['us-east-1'], firstDay: '2026-10-01', lastDay: '2026-10-11' });
    const whole = { daysWithLogs: 0, daysWithout: 2, gaps: [{ from: '2026-10-12T00:00:00Z', to: '2026-10-14T00:00:00Z' }] };
    expect(sourceCoverage(window, silent)).toEqual({ ...whole, firstDay: '2026-10-01', lastDay: '2026-10-11' });
    expect(sourceCoverage(window, listing([], { locations: [] }))).toMatchObject(whole);
  });

  it('covers the whole day of an access log partitioned by event day, and ignores deliveries outside the window', () => {
    const al = (day: string): Delivery => accessLogDelivery(DEFAULT_LAYOUT, accessLogKey(DEFAULT_LAYOUT, '210987654321', 'us-east-1', 'b-1', new Date(`${day}T00:00:00Z`), 'E568B2907131C0C0'))!;
    const result = sourceCoverage(window, listing([al('2026-10-11'), al('2026-10-13'), al('2026-10-14')], { source: 's3_access_logs' }));
    expect(result).toMatchObject({ daysWithLogs: 1, daysWithout: 1, gaps: [{ from: '2026-10-12T00:00:00Z', to: '2026-10-13T00:00:00Z' }] });
  });

  it('states inventory coverage in whole days with a report', () => {
    const reports = ['2026-10-04-00-00', '2026-10-11-00-00', '2026-10-18-00-00'].map(inventoryDelivery);
    const result = sourceCoverage({ from: '2026-10-04', to: '2026-10-12' }, listing(reports, { source: 's3_inventory', locations: ['inventory'] }));
    expect(result).toMatchObject({
      daysWithLogs: 2,
      daysWithout: 7,
      gaps: [
        { from: '2026-10-05T00:00:00Z', to: '2026-10-11T00:00:00Z' },
        { from: '2026-10-12T00:00:00Z', to: '2026-10-13T00:00:00Z' },
      ],
    });
  });

  it('names every source it was given and refuses a window that is not two ordered UTC days', () => {
    const coverage = buildCoverage(window, [listing([]), listing([], { source: 's3_inventory' })]);
    expect(coverage).toMatchObject({ from: '2026-10-12', to: '2026-10-13' });
    expect(Object.keys(coverage.sources)).toEqual(['cloudtrail', 's3_inventory']);
    expect(() => buildCoverage({ from: '2026-10-13', to: '2026-10-12' }, [])).toThrow(/invalid coverage window/);
    expect(() => buildCoverage({ from: '2026-02-30', to: '2026-03-01' }, [])).toThrow(/invalid coverage window/);
  });
});
