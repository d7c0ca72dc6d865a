import { describe, expect, it } from 'vitest';
import { canonicalTimestamp, decodeCell, parseArrayText, sqlTypeOf } from '@/lib/engine/athena/cells';

describe('sqlTypeOf', () => {
  it.each([
    ['varchar', 'varchar'],
    ['char', 'varchar'],
    ['bigint', 'bigint'],
    ['integer', 'integer'],
    ['smallint', 'integer'],
    ['tinyint', 'integer'],
    ['double', 'double'],
    ['real', 'double'],
    ['decimal', 'double'],
    ['decimal(10,2)', 'double'],
    ['boolean', 'boolean'],
    ['date', 'date'],
    ['timestamp', 'timestamp'],
    ['timestamp(3)', 'timestamp'],
    ['timestamp with time zone', 'timestamp'],
    ['timestamp(3) with time zone', 'timestamp'],
    ['array', 'array(varchar)'],
    ['array<string>', 'array(varchar)'],
    ['array(varchar)', 'array(varchar)'],
    ['json', 'varchar'],
    ['row', 'varchar'],
    ['map', 'varchar'],
    [undefined, 'varchar'],
  ])('%s → %s', (athena, port) => {
    expect(sqlTypeOf(athena)).toBe(port);
  });
});

describe('canonicalTimestamp', () => {
  it.each([
    ['2025-03-04 15:22:09.000 UTC', '2025-03-04T15:22:09.000Z'],
    ['2025-03-04 15:22:09.000', '2025-03-04T15:22:09.000Z'],
    ['2025-03-04 15:22:09', '2025-03-04T15:22:09.000Z'],
    ['2025-03-04 15:22:09.5 UTC', '2025-03-04T15:22:09.500Z'],
    ['2025-03-04 15:22:09.123456', '2025-03-04T15:22:09.123Z'],
    ['2025-03-04 15:22:09.000 Z', '2025-03-04T15:22:09.000Z'],
    ['2025-03-04 20:52:09.000 +05:30', '2025-03-04T15:22:09.000Z'],
    ['2025-03-04 07:22:09.000 -08:00', '2025-03-04T15:22:09.000Z'],
    ['2025-03-04 10:22:09.000 America/New_York', '2025-03-04T15:22:09.000Z'],
    ['2025-07-04 11:22:09.250 America/New_York', '2025-07-04T15:22:09.250Z'],
    ['2025-01-01 00:30:00.000 Asia/Kolkata', '2024-12-31T19:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(canonicalTimestamp(text)).toBe(iso);
  });

  it('leaves text it does not recognise unchanged', () => {
    expect(canonicalTimestamp('not a time')).toBe('not a time');
  });
});

describe('parseArrayText', () => {
  it.each([
    ['[a, b]', ['a', 'b']],
    ['[]', []],
    ['[arn:aws:s3:::bucket/key]', ['arn:aws:s3:::bucket/key']],
    ['[a,b, c]', ['a,b', 'c']],
  ])('%s → %o', (text, values) => {
    expect(parseArrayText(text)).toEqual(values);
  });
});

describe('decodeCell', () => {
  it('treats a missing value as SQL NULL for every type', () => {
    for (const type of ['varchar', 'bigint', 'integer', 'double', 'boolean', 'date', 'timestamp', 'array(varchar)'] as const) {
      expect(decodeCell(undefined, type)).toBeNull();
      expect(decodeCell(null, type)).toBeNull();
    }
  });

  it('keeps an empty string distinct from NULL', () => {
    expect(decodeCell('', 'varchar')).toBe('');
  });

  it('returns integers as numbers and bigints beyond 2^53 as exact strings', () => {
    expect(decodeCell('200', 'integer')).toBe(200);
    expect(decodeCell('-42', 'bigint')).toBe(-42);
    expect(decodeCell('9007199254740991', 'bigint')).toBe(9007199254740991);
    expect(decodeCell('9007199254740993', 'bigint')).toBe('9007199254740993');
    expect(decodeCell('-9223372036854775808', 'bigint')).toBe('-9223372036854775808');
  });

  it('reads doubles, including Trino scientific notation and special values', () => {
    expect(decodeCell('1.5', 'double')).toBe(1.5);
    expect(decodeCell('1.0E10', 'double')).toBe(1e10);
    expect(decodeCell('NaN', 'double')).toBeNaN();
    expect(decodeCell('-Infinity', 'double')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads booleans, dates, timestamps and arrays', () => {
    expect(decodeCell('true', 'boolean')).toBe(true);
    expect(decodeCell('false', 'boolean')).toBe(false);
    expect(decodeCell('2014-07-05', 'date')).toBe('2014-07-05');
    expect(decodeCell('2025-03-04 15:22:09.000 UTC', 'timestamp')).toBe('2025-03-04T15:22:09.000Z');
    expect(decodeCell('[Decrypt, GenerateDataKey]', 'array(varchar)')).toEqual(['Decrypt', 'GenerateDataKey']);
  });
});
