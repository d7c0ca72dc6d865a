import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/errors';
import { storageClassAt, TRANSITIONS } from '@/lib/lake/generate/lifecycle';
import { describeLifecycle, parseLifecycleConfiguration, projectLifecycle, type ProjectionObject } from '@/lib/posture/lifecycle-projection';
import { BYTES_PER_GB, PRICE_TABLE } from '@/lib/posture/prices';

const GB = BYTES_PER_GB;
const price = PRICE_TABLE['us-east-1']!.storage;
const demo = parseLifecycleConfiguration(
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/posture/custos-demo-imaging-archive.lifecycle.json'), 'utf8')),
);
const month = (p: ReturnType<typeof projectLifecycle>, m: string) => p.months.find((x) => x.month === m)!;

describe('the demo archive bucket’s lifecycle configuration', () => {
  it('is a GetBucketLifecycleConfiguration response with the generator’s transitions', () => {
    expect(demo.Rules).toHaveLength(1);
    expect(demo.Rules[0]!.Transitions!.map((t) => [t.Days, t.StorageClass])).toEqual(TRANSITIONS.map((t) => [t.days, t.storageClass]));
    expect(demo.Rules[0]!.Expiration).toBeUndefined();
    expect(describeLifecycle(demo)).toEqual(['archive-tiering: STANDARD_IA after 30 days, GLACIER after 90 days, DEEP_ARCHIVE after 365 days']);
  });

  it('moves objects on the same days as the generator does (checked at 06:00 UTC, after its transition lag)', () => {
    const start = Date.parse('2025-09-01T00:00:00Z');
    for (let i = 0; i < 60; i++) {
      const lastModified = start + i * 7.37 * 86_400_000;
      const projection = projectLifecycle(demo, [{ size: GB, storageClass: 'STANDARD', lastModified: new Date(lastModified).toISOString() }], { asOf: '2026-10-31', months: 13 });
      for (const m of projection.months) {
        const [y, mo] = m.month.split('-').map(Number);
        const lastDay = Date.UTC(y!, mo!, 0, 6);
        const version = { versionId: `v${i}`, lastModified, size: GB, etag: '', multipart: false, checksum: '', deleteMarker: false };
        expect(Object.keys(m.endBytes), `${new Date(lastModified).toISOString()} in ${m.month}`).toEqual([storageClassAt(version, lastDay)]);
      }
    }
  });
});

describe('projecting today’s objects month by month', () => {
  const objects: ProjectionObject[] = [
    { key: 'a/1.dcm', size: 1 * GB, storageClass: 'STANDARD', lastModified: '2026-10-20T10:00:00Z' },
    { key: 'b/1.dcm', size: 2 * GB, storageClass: 'DEEP_ARCHIVE', ageDays: 400 },
    { key: 'c/1.dcm', size: 1 * GB, storageClass: 'STANDARD_IA', ageDays: 40 },
  ];
  const p = projectLifecycle(demo, objects, { asOf: '2026-10-31' });

  it('covers the twelve calendar months after the as-of day', () => {
    expect(p.months.map((m) => m.month)).toEqual([
      '2026-11', '2026-12', '2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06', '2027-07', '2027-08', '2027-09', '2027-10',
    ]);
    expect(p.months.map((m) => m.days)).toEqual([30, 31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31]);
  });

  it('charges a month for the days spent in each class (a, written 2026-10-20 10:00, reaches Standard-IA on 20 November)', () => {
    const nov = month(p, '2026-11');
    expect(nov.averageBytes.STANDARD).toBeCloseTo((19 / 30) * GB, 3);
    expect(nov.averageBytes.STANDARD_IA).toBeCloseTo((11 / 30) * GB + GB, 3);
    expect(nov.endBytes).toEqual({ STANDARD_IA: 2 * GB, DEEP_ARCHIVE: 2 * GB });
    const expected = (19 * price.STANDARD! + 11 * price.STANDARD_IA!) / 30 + price.STANDARD_IA! + 2 * price.DEEP_ARCHIVE!;
    expect(nov.cost.totalUsd - nov.cost.overheadUsd).toBeCloseTo(expected, 12);
    // and b, one object in Deep Archive, carries its 40 KB of index and metadata
    expect(nov.cost.overheadUsd).toBeCloseTo((8 * 1024 * price.STANDARD! + 32 * 1024 * price.DEEP_ARCHIVE!) / GB, 15);
  });

  it('moves c (Standard-IA, 40 days old) to Glacier on 21 December and to Deep Archive on 22 September', () => {
    const dec = month(p, '2026-12');
    expect(dec.averageBytes.STANDARD_IA).toBeCloseTo(GB + (20 / 31) * GB, 3);
    expect(dec.averageBytes.GLACIER).toBeCloseTo((11 / 31) * GB, 3);
    const sep = month(p, '2027-09');
    expect(sep.averageBytes.GLACIER).toBeCloseTo(GB + (21 / 30) * GB, 3);
    expect(sep.averageBytes.DEEP_ARCHIVE).toBeCloseTo(2 * GB + (9 / 30) * GB, 3);
  });

  it('reaches the hand-computed cost every month', () => {
    const a = [
      (19 * price.STANDARD! + 11 * price.STANDARD_IA!) / 30,
      price.STANDARD_IA!,
      (18 * price.STANDARD_IA! + 13 * price.GLACIER!) / 31,
      ...Array(8).fill(price.GLACIER!),
      (20 * price.GLACIER! + 11 * price.DEEP_ARCHIVE!) / 31,
    ];
    const c = [
      price.STANDARD_IA!,
      (20 * price.STANDARD_IA! + 11 * price.GLACIER!) / 31,
      ...Array(8).fill(price.GLACIER!),
      (21 * price.GLACIER! + 9 * price.DEEP_ARCHIVE!) / 30,
      price.DEEP_ARCHIVE!,
    ];
    const b = 2 * price.DEEP_ARCHIVE!;
    p.months.forEach((m, i) => expect(m.cost.totalUsd - m.cost.overheadUsd, m.month).toBeCloseTo(a[i]! + b + c[i]!, 12));
  });

  it('does not move objects under 128 KB unless the configuration lets them reach Glacier', () => {
    const small: ProjectionObject = { key: 'd/1.dcm', size: 64 * 1024, storageClass: 'STANDARD', lastModified: '2026-10-01T00:00:00Z' };
    const held = projectLifecycle(demo, [small], { asOf: '2026-10-31' });
    expect(held.months.every((m) => Object.keys(m.endBytes).join() === 'STANDARD')).toBe(true);
    const varies = projectLifecycle({ ...demo, TransitionDefaultMinimumObjectSize: 'varies_by_storage_class' }, [small], { asOf: '2026-10-31' });
    // 2026-10-01 00:00 + 90 days rounds up to 31 December; Standard-IA is skipped
    const dec = month(varies, '2026-12').averageBytes;
    expect(Object.keys(dec).sort()).toEqual(['GLACIER', 'STANDARD']);
    expect(dec.STANDARD).toBeCloseTo((30 / 31) * 64 * 1024, 6);
    expect(dec.GLACIER).toBeCloseTo((1 / 31) * 64 * 1024, 6);
    expect(month(varies, '2027-10').averageBytes.DEEP_ARCHIVE).toBeCloseTo((30 / 31) * 64 * 1024, 6);
  });
});

describe('rules, filters and expiration', () => {
  const config = parseLifecycleConfiguration({
    Rules: [
      { ID: 'studies-ia', Status: 'Enabled', Filter: { Prefix: 'studies/' }, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }] },
      {
        ID: 'pediatric-glacier',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'studies/', Tags: [{ Key: 'retention', Value: 'pediatric' }] } },
        Transitions: [{ Days: 60, StorageClass: 'GLACIER' }],
      },
      { ID: 'off', Status: 'Disabled', Filter: {}, Transitions: [{ Days: 31, StorageClass: 'DEEP_ARCHIVE' }] },
      { ID: 'big', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 10 * GB }, Transitions: [{ Date: new Date('2026-12-01T00:00:00Z'), StorageClass: 'GLACIER_IR' }] },
    ],
  });
  const at = '2026-10-01T12:00:00Z';

  it('applies only the enabled rules whose filter matches, the furthest transition due winning', () => {
    const p = projectLifecycle(
      config,
      [
        { key: 'studies/x.dcm', size: GB, storageClass: 'STANDARD', lastModified: at },
        { key: 'studies/y.dcm', size: GB, storageClass: 'STANDARD', lastModified: at, tags: { retention: 'pediatric' } },
        { key: 'logs/z.log', size: GB, storageClass: 'STANDARD', lastModified: at, tags: { retention: 'pediatric' } },
        { key: 'raw/huge.bin', size: 20 * GB, storageClass: 'STANDARD', lastModified: at },
      ],
      { asOf: '2026-10-31' },
    );
    // x: Standard-IA from 1 Nov; y: Standard-IA from 1 Nov, Glacier from 1 Dec; z: no rule; huge: Glacier IR from 1 Dec
    expect(month(p, '2026-11').endBytes).toEqual({ STANDARD_IA: 2 * GB, STANDARD: 21 * GB });
    expect(month(p, '2026-12').endBytes).toEqual({ STANDARD_IA: GB, GLACIER: GB, STANDARD: GB, GLACIER_IR: 20 * GB });
    expect(month(p, '2027-10').endBytes).toEqual(month(p, '2026-12').endBytes);
    expect(describeLifecycle(config)).toEqual([
      'studies-ia: STANDARD_IA after 30 days',
      'pediatric-glacier: GLACIER after 60 days',
      'big: GLACIER_IR from 2026-12-01',
    ]);
  });

  it('keeps an expired current version as a noncurrent one in a versioned bucket until its noncurrent expiration', () => {
    const expiring = parseLifecycleConfiguration({
      Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 10 }, NoncurrentVersionExpiration: { NoncurrentDays: 5 } }],
    });
    const object: ProjectionObject = { key: 'k', size: 30 * GB, storageClass: 'STANDARD', lastModified: '2026-10-30T12:00:00Z' };
    // expires 10 November; as a noncurrent version it is deleted 16 November; unversioned, gone on the 10th
    const versioned = projectLifecycle(expiring, [object], { asOf: '2026-10-31' });
    expect(month(versioned, '2026-11').averageBytes.STANDARD).toBeCloseTo(15 * GB, 3);
    expect(month(versioned, '2026-11').endBytes).toEqual({});
    const plain = projectLifecycle(expiring, [object], { asOf: '2026-10-31', versioned: false });
    expect(month(plain, '2026-11').averageBytes.STANDARD).toBeCloseTo(9 * GB, 3);
    expect(month(plain, '2026-12').cost.totalUsd).toBe(0);
  });

  it('moves noncurrent versions by the days since they became noncurrent, and holds those it cannot date', () => {
    const nc = parseLifecycleConfiguration({
      Rules: [{ ID: 'nc', Status: 'Enabled', Filter: {}, NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER' }] }],
    });
    const p = projectLifecycle(
      nc,
      [
        { key: 'k', size: 30 * GB, count: 3, storageClass: 'STANDARD', isLatest: false, noncurrentSince: '2026-10-15T08:00:00Z' },
        { key: 'k', size: 30 * GB, count: 2, storageClass: 'STANDARD', isLatest: false },
      ],
      { asOf: '2026-10-31' },
    );
    // noncurrent from 15 October 08:00: Glacier from 15 November
    expect(month(p, '2026-11').averageBytes).toEqual({ STANDARD: 30 * GB + 14 * GB, GLACIER: 16 * GB });
    expect(p.undatedNoncurrent).toBe(2);
  });

  it('refuses what is not a lifecycle configuration, naming the field', () => {
    for (const raw of [
      { Rules: [{ Status: 'On' }] },
      { Rules: [{ Status: 'Enabled', Transitions: [{ Days: 30, StorageClass: 'STANDARD' }] }] },
      { Rules: [{ Status: 'Enabled', Transitions: [{ Days: -1, StorageClass: 'GLACIER' }] }] },
      { Rules: [{ Status: 'Enabled', Expiration: { Date: 'soon' } }] },
      { Rules: [{ Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER' }] }] },
      { Rules: [{ Status: 'Enabled', Transitions: [{ Days: 30, Date: '2026-12-01', StorageClass: 'GLACIER' }] }] },
      {},
    ]) {
      expect(() => parseLifecycleConfiguration(raw)).toThrow(ValidationError);
    }
    expect(() => parseLifecycleConfiguration({})).toThrow(/Lifecycle rules/);
  });

  it('needs each current object dated one way, and a calendar as-of day', () => {
    expect(() => projectLifecycle(demo, [{ size: 1, storageClass: 'STANDARD' }], { asOf: '2026-10-31' })).toThrow(/exactly one of lastModified and ageDays/);
    expect(() => projectLifecycle(demo, [{ size: 1, storageClass: 'STANDARD', ageDays: 1, lastModified: '2026-10-01T00:00:00Z' }], { asOf: '2026-10-31' })).toThrow(/exactly one/);
    expect(() => projectLifecycle(demo, [], { asOf: '2026-02-30' })).toThrow(/calendar date/);
    expect(() => projectLifecycle(demo, [{ size: 1, storageClass: 'STANDARD', lastModified: 'yesterday' }], { asOf: '2026-10-31' })).toThrow(/ISO 8601/);
  });
});
