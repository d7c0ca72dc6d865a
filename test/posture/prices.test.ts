import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/errors';
import {
  ARCHIVE_NOTES,
  BYTES_PER_GB,
  monthlyCost,
  parsePriceOverride,
  PRICE_TABLE,
  STORAGE_CLASS_ORDER,
  withPriceOverride,
} from '@/lib/posture/prices';

const GB = BYTES_PER_GB;

describe('the shipped price table', () => {
  it('orders the storage classes as the lifecycle moves objects', () => {
    expect(STORAGE_CLASS_ORDER).toEqual(['STANDARD', 'INTELLIGENT_TIERING', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE']);
  });

  it('covers us-east-1 and two more Regions, each with its sources and their dates', () => {
    expect(Object.keys(PRICE_TABLE).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    for (const region of Object.values(PRICE_TABLE)) {
      expect(region.sources.length).toBeGreaterThan(0);
      for (const s of region.sources) expect(s.where && s.what && s.date).toBeTruthy();
      expect(Object.keys(region.storage)).toEqual([...STORAGE_CLASS_ORDER]);
    }
    expect(Object.values(PRICE_TABLE['us-east-1']!.storage).every((p) => p !== null && p > 0)).toBe(true);
  });

  it('says so in the note wherever a price is left out for want of a source', () => {
    for (const region of Object.values(PRICE_TABLE)) {
      const missing = STORAGE_CLASS_ORDER.filter((c) => region.storage[c] === null);
      if (missing.length > 0) expect(region.note).toMatch(/could not be confirmed/);
    }
    expect(PRICE_TABLE['us-west-2']!.storage.DEEP_ARCHIVE).toBeNull();
  });

  it('has the us-east-1 prices the storage-tier query uses', () => {
    const sql = fs.readFileSync(path.resolve(__dirname, '../../queries/storage-tier-distribution.sql'), 'utf8');
    for (const c of STORAGE_CLASS_ORDER) {
      const m = new RegExp(`WHEN '${c}' THEN ([0-9.]+)`).exec(sql);
      expect(m, c).not.toBeNull();
      expect(Number(m![1]), c).toBe(PRICE_TABLE['us-east-1']!.storage[c]);
    }
  });

  it('notes the archive classes’ minimum durations, minimum sizes and retrieval', () => {
    expect(Object.fromEntries(STORAGE_CLASS_ORDER.map((c) => [c, ARCHIVE_NOTES[c].minimumDays]))).toEqual({
      STANDARD: null,
      INTELLIGENT_TIERING: null,
      STANDARD_IA: 30,
      ONEZONE_IA: 30,
      GLACIER_IR: 90,
      GLACIER: 90,
      DEEP_ARCHIVE: 180,
    });
    for (const c of ['STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR'] as const) expect(ARCHIVE_NOTES[c].minimumBillableBytes).toBe(128 * 1024);
    expect(ARCHIVE_NOTES.DEEP_ARCHIVE.retrieval.map((r) => r.time)).toEqual(['within 12 hours', 'within 48 hours']);
    expect(ARCHIVE_NOTES.GLACIER.overhead).toMatch(/40 KB/);
  });
});

describe('monthlyCost', () => {
  it('prices each class per GB-month (2^30 bytes) and adds them up', () => {
    const est = monthlyCost({ STANDARD: 1 * GB, DEEP_ARCHIVE: 10 * GB, STANDARD_IA: 4 * GB }, 'us-east-1');
    expect(est.byClass.map((c) => c.storageClass)).toEqual(['STANDARD', 'STANDARD_IA', 'DEEP_ARCHIVE']);
    expect(est.byClass.map((c) => c.usd)).toEqual([0.023, 0.05, expect.closeTo(0.0099, 12)]);
    expect(est.totalUsd).toBeCloseTo(0.023 + 0.05 + 0.0099, 12);
    expect(est.unpriced).toEqual([]);
    expect(est.basis.takenOn).toBe('2026-05');
  });

  it('leaves unconfirmed prices and unknown classes out of the total, and names them', () => {
    const est = monthlyCost({ STANDARD: 2 * GB, GLACIER: 100 * GB, REDUCED_REDUNDANCY: 1 * GB }, 'us-west-2');
    expect(est.totalUsd).toBeCloseTo(0.046, 12);
    expect(est.unpriced).toEqual(['GLACIER', 'REDUCED_REDUNDANCY']);
    const nowhere = monthlyCost({ STANDARD: GB }, 'ap-south-2');
    expect(nowhere).toMatchObject({ totalUsd: 0, unpriced: ['STANDARD'], basis: { takenOn: null } });
    expect(nowhere.basis.note).toMatch(/No prices are shipped for ap-south-2/);
  });

  it('adds the archive classes’ per-object overhead when object counts are given', () => {
    const est = monthlyCost({ DEEP_ARCHIVE: 1 * GB }, 'us-east-1', PRICE_TABLE, { DEEP_ARCHIVE: 1000 });
    const overhead = (1000 * (8 * 1024 * 0.023 + 32 * 1024 * 0.00099)) / GB;
    expect(est.overheadUsd).toBeCloseTo(overhead, 15);
    expect(est.totalUsd).toBeCloseTo(0.00099 + overhead, 15);
  });
});

describe('price overrides', () => {
  it('validates an override and puts its prices in place of the shipped ones', () => {
    const override = parsePriceOverride({ region: 'eu-west-1', prices: { STANDARD_IA: 0.0131, DEEP_ARCHIVE: 0.0018 }, takenOn: '2026-11-30', source: 'our agreement' });
    const table = withPriceOverride(PRICE_TABLE, override);
    expect(table['eu-west-1']!.storage).toMatchObject({ STANDARD: 0.023, STANDARD_IA: 0.0131, DEEP_ARCHIVE: 0.0018, GLACIER: null });
    expect(table['eu-west-1']!.sources.at(-1)).toEqual({ where: 'configuration', what: 'our agreement: STANDARD_IA, DEEP_ARCHIVE', date: '2026-11-30' });
    expect(monthlyCost({ STANDARD_IA: 10 * GB }, 'eu-west-1', table).totalUsd).toBeCloseTo(0.131, 12);
    expect(PRICE_TABLE['eu-west-1']!.storage.STANDARD_IA).toBeNull();
  });

  it('can price a Region the table does not ship', () => {
    const table = withPriceOverride(PRICE_TABLE, parsePriceOverride({ region: 'ca-central-1', prices: { STANDARD: 0.025 } }));
    expect(monthlyCost({ STANDARD: GB, GLACIER: GB }, 'ca-central-1', table)).toMatchObject({ totalUsd: 0.025, unpriced: ['GLACIER'] });
  });

  it.each([
    [{ region: 'us-east-1', prices: { STANDARD: -1 } }, 'prices'],
    [{ region: 'us-east-1', prices: { GLACIER_DEEP: 0.001 } }, 'prices'],
    [{ region: 'us-east-1', prices: {} }, 'prices'],
    [{ region: 'US East', prices: { STANDARD: 0.02 } }, 'region'],
    [{ region: 'us-east-1', prices: { STANDARD: 0.02 }, takenOn: '2026-02-30' }, 'takenOn'],
    [{ region: 'us-east-1', prices: { STANDARD: 0.02 }, extra: true }, 'input'],
  ])('refuses %j, naming the field', (raw, field) => {
    let error: unknown;
    try {
      parsePriceOverride(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys((error as ValidationError).fieldErrors)).toEqual([field]);
  });
});
