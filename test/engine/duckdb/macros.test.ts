// Every expectation below is an example or a rule from the Trino documentation
// (docs/src/main/sphinx/functions/*.md); where the doc's example depends on the session time
// zone, the expectation is the same instant in UTC, the embedded engine's session zone.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTrinoMacros } from '@/lib/engine/duckdb/macros';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const setup = await instance.connect();
  await installTrinoMacros(setup);
  await installTrinoMacros(setup);
  setup.closeSync();
  conn = await instance.connect();
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

/** The value as text (DuckDB's rendering) and its type. */
async function value(expr: string): Promise<{ v: string | null; t: string }> {
  const r = await conn.runAndReadAll(`SELECT CAST((${expr}) AS VARCHAR) AS v, typeof(${expr}) AS t`);
  const row = r.getRowObjectsJson()[0]!;
  return { v: row.v as string | null, t: row.t as string };
}
const text = async (expr: string) => (await value(expr)).v;

describe('session semantics', () => {
  it('runs every connection of the database in UTC with integer division, macros visible everywhere', async () => {
    expect(await text(`current_setting('TimeZone')`)).toBe('UTC');
    expect(await text('7 / 2')).toBe('3');
    expect(await text('-7 / 2')).toBe('-3');
    expect(await text('7.0 / 2')).toBe('3.5');
    expect(await text(`day_of_week(DATE '2024-01-07')`)).toBe('7');
    expect(await text(`current_setting('disabled_optimizers')`)).toBe('top_n_window_elimination');
  });
});

describe('JSON functions', () => {
  const doc = `'{"store":{"book":[{"author":"Nigel Rees","price":8.95}],"book name":"x","b:c":true,"0":"zero"},"n":null,"arr":[1,2,3]}'`;

  it('json_extract_scalar follows Trino JSONPath: dots, indexes, [name], ["quoted"], colons', async () => {
    expect(await text(`json_extract_scalar('[1, 2, 3]', '$[2]')`)).toBe('3');
    expect(await text(`json_extract_scalar(${doc}, '$.store.book[0].author')`)).toBe('Nigel Rees');
    expect(await text(`json_extract_scalar(${doc}, '$.store["book name"]')`)).toBe('x');
    expect(await text(`json_extract_scalar(${doc}, '$.store["b:c"]')`)).toBe('true');
    expect(await text(`json_extract_scalar(${doc}, '$.store.b:c')`)).toBe('true');
    expect(await text(`json_extract_scalar(${doc}, '$.store[0]')`)).toBe('zero');
    expect(await text(`json_extract_scalar(${doc}, '$.store.book[0].price')`)).toBe('8.95');
    expect((await value(`json_extract_scalar(${doc}, '$.arr[1]')`)).t).toBe('VARCHAR');
  });

  it('json_extract_scalar is NULL for objects, arrays, JSON null, missing paths and invalid JSON', async () => {
    expect(await text(`json_extract_scalar(${doc}, '$.store')`)).toBeNull();
    expect(await text(`json_extract_scalar(${doc}, '$.arr')`)).toBeNull();
    expect(await text(`json_extract_scalar(${doc}, '$.n')`)).toBeNull();
    expect(await text(`json_extract_scalar(${doc}, '$.nope.deeper')`)).toBeNull();
    expect(await text(`json_extract_scalar(${doc}, '$.arr[7]')`)).toBeNull();
    expect(await text(`json_extract_scalar('{not json', '$.a')`)).toBeNull();
    expect(await text(`json_extract_scalar(NULL, '$.a')`)).toBeNull();
  });

  it('reads the escapes of a quoted member name and rejects an invalid path like Trino', async () => {
    expect(await text(`json_extract_scalar('{"a\\"b":1,"c\\\\d":2}', '$["a\\"b"]')`)).toBe('1');
    expect(await text(`json_extract_scalar('{"a/b":{"~":3}}', '$["a/b"]["~"]')`)).toBe('3');
    await expect(text(`json_extract_scalar('{"a":1}', 'a')`)).rejects.toThrow(/Invalid JSON path: 'a'/);
    await expect(text(`json_extract_scalar('{"a":1}', '$.a b')`)).rejects.toThrow(/Invalid JSON path/);
  });

  it('json_extract returns the JSON of objects and arrays', async () => {
    expect(await text(`json_extract(${doc}, '$.store.book')`)).toBe('[{"author":"Nigel Rees","price":8.95}]');
    expect(await text(`json_extract(${doc}, '$.store[book][0].author')`)).toBe('"Nigel Rees"');
    expect((await value(`json_extract(${doc}, '$.arr')`)).t).toBe('JSON');
  });
});

describe('date and time functions', () => {
  it('from_iso8601_timestamp: date only, no zone (session zone), offset, fraction truncated to ms', async () => {
    expect(await value(`from_iso8601_timestamp('2020-05-11')`)).toEqual({ v: '2020-05-11 00:00:00+00', t: 'TIMESTAMP WITH TIME ZONE' });
    expect(await text(`from_iso8601_timestamp('2020-05-11T11:15:05')`)).toBe('2020-05-11 11:15:05+00');
    expect(await text(`from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')`)).toBe('2020-05-11 10:15:05.055+00');
    expect(await text(`from_iso8601_timestamp('2025-03-04T15:22:09Z')`)).toBe('2025-03-04 15:22:09+00');
    expect(await text(`from_iso8601_timestamp('2020-05-11T11:15Z')`)).toBe('2020-05-11 11:15:00+00');
    expect(await text(`from_iso8601_timestamp('2020-05-11T11:15:05.123456789Z')`)).toBe('2020-05-11 11:15:05.123+00');
    expect(await text(`from_iso8601_timestamp(NULL)`)).toBeNull();
  });

  it('from_iso8601_timestamp refuses text that is not ISO 8601, as Trino does', async () => {
    await expect(text(`from_iso8601_timestamp('2020-05-11 11:15:05')`)).rejects.toThrow(/Invalid format/);
    await expect(text(`from_iso8601_timestamp('20131102T010628Z')`)).rejects.toThrow(/Invalid format/);
  });

  it('from_iso8601_date parses calendar dates', async () => {
    expect(await value(`from_iso8601_date('2020-05-11')`)).toEqual({ v: '2020-05-11', t: 'DATE' });
  });

  it('to_iso8601 prints dates, timestamps (3 digits) and UTC timestamps with Z', async () => {
    expect(await text(`to_iso8601(DATE '2020-05-11')`)).toBe('2020-05-11');
    expect(await text(`to_iso8601(TIMESTAMP '2020-05-11 01:02:03.4')`)).toBe('2020-05-11T01:02:03.400');
    expect(await text(`to_iso8601(from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00'))`)).toBe('2020-05-11T10:15:05.055Z');
    expect(await text(`to_iso8601(from_iso8601_timestamp('2025-03-04T15:22:09Z'))`)).toBe('2025-03-04T15:22:09.000Z');
  });

  it('parse_datetime reads the access-log time idiom into a timestamp with time zone', async () => {
    expect(await value(`parse_datetime('06/Feb/2019:00:00:38 +0000', 'dd/MMM/yyyy:HH:mm:ss Z')`)).toEqual({
      v: '2019-02-06 00:00:38+00',
      t: 'TIMESTAMP WITH TIME ZONE',
    });
    expect(await text(`parse_datetime('09/Feb/2021:14:48:42 +0200', 'dd/MMM/yyyy:HH:mm:ss Z')`)).toBe('2021-02-09 12:48:42+00');
    expect(await text(`parse_datetime('2021-02-09 14:48:42', 'yyyy-MM-dd HH:mm:ss')`)).toBe('2021-02-09 14:48:42+00');
    await expect(text(`parse_datetime('2021', 'yyyy')`)).rejects.toThrow(/not supported/);
  });

  it('date_format uses MySQL specifiers', async () => {
    expect(await text(`date_format(TIMESTAMP '2022-10-20 05:10:00', '%m-%d-%Y %H')`)).toBe('10-20-2022 05');
    const ts = `TIMESTAMP '2001-08-22 03:04:05.321'`;
    expect(await text(`date_format(${ts}, '%Y-%c-%e %k %l %i %s %S %T %j')`)).toBe('2001-8-22 3 3 04 05 05 03:04:05 234');
    expect(await text(`date_format(${ts}, '%r|%p|%h|%I')`)).toBe('03:04:05 AM|AM|03|03');
    expect(await text(`date_format(${ts}, '%M %W %a %b %y')`)).toBe('August Wednesday Wed Aug 01');
    expect(await text(`date_format(${ts}, '%f')`)).toBe('321000');
    expect(await text(`date_format(${ts}, '%x-%v')`)).toBe('2001-34');
    expect(await text(`date_format(${ts}, '100%% %Q')`)).toBe('100% Q');
    expect(await text(`date_format(from_iso8601_timestamp('2025-03-04T23:30:00Z'), '%Y-%m-%d %H:%i')`)).toBe('2025-03-04 23:30');
    await expect(text(`date_format(${ts}, '%D')`)).rejects.toThrow(/not supported/);
  });

  it('at_timezone gives the wall time in the zone', async () => {
    expect(await text(`at_timezone(TIMESTAMP '2022-11-01 09:08:07.321', 'America/Los_Angeles')`)).toBe('2022-11-01 02:08:07.321');
    expect(await text(`hour(at_timezone(from_iso8601_timestamp('2025-03-04T15:22:09Z'), 'America/New_York'))`)).toBe('10');
    expect(await text(`day_of_week(at_timezone(from_iso8601_timestamp('2025-03-10T02:00:00Z'), 'America/New_York'))`)).toBe('7');
  });

  it('date_add(unit, value, timestamp) and date_diff(unit, t1, t2) take Trino argument order', async () => {
    expect(await text(`date_add('second', 86, TIMESTAMP '2020-03-01 00:00:00')`)).toBe('2020-03-01 00:01:26');
    expect(await text(`date_add('hour', 9, TIMESTAMP '2020-03-01 00:00:00')`)).toBe('2020-03-01 09:00:00');
    expect(await text(`date_add('day', -1, TIMESTAMPTZ '2020-03-01 00:00:00 UTC')`)).toBe('2020-02-29 00:00:00+00');
    expect(await text(`date_add('quarter', 1, TIMESTAMP '2020-01-31 00:00:00')`)).toBe('2020-04-30 00:00:00');
    expect(await text(`date_add(DATE '2020-01-01', INTERVAL 1 DAY)`)).toBe('2020-01-02 00:00:00');
    expect(await text(`date_diff('second', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00')`)).toBe('86400');
    expect(await text(`date_diff('hour', TIMESTAMPTZ '2020-03-01 00:00:00 UTC', TIMESTAMPTZ '2020-03-02 00:00:00 UTC')`)).toBe('24');
    expect(await text(`date_diff('day', DATE '2020-03-01', DATE '2020-03-02')`)).toBe('1');
    expect(await text(`date_diff('millisecond', TIMESTAMP '2020-06-01 12:30:45.000000000', TIMESTAMP '2020-06-02 12:30:45.123456789')`)).toBe('86400123');
    expect(await text(`date_diff('day', TIMESTAMP '2020-01-01 23:00', TIMESTAMP '2020-01-02 01:00')`)).toBe('0');
  });

  it('extraction helpers: ISO day of week 1 (Monday) to 7 (Sunday), day of year, millisecond of second', async () => {
    expect(await value(`day_of_week(DATE '2024-01-08')`)).toEqual({ v: '1', t: 'BIGINT' });
    expect(await text(`dow(TIMESTAMP '2024-01-07 23:59:59')`)).toBe('7');
    expect(await text(`day_of_year(DATE '2020-03-01')`)).toBe('61');
    expect(await text(`doy(DATE '2020-03-01')`)).toBe('61');
    expect(await text(`day_of_month(DATE '2020-03-01')`)).toBe('1');
    expect(await text(`millisecond(TIMESTAMP '2001-08-22 03:04:05.321')`)).toBe('321');
    expect(await text(`year_of_week(DATE '2021-01-03')`)).toBe('2020');
    expect(await text(`week_of_year(DATE '2021-01-03')`)).toBe('53');
    expect(await text(`last_day_of_month(DATE '2020-02-10')`)).toBe('2020-02-29');
  });

  it('from_unixtime and to_unixtime convert seconds since the epoch', async () => {
    expect(await value(`from_unixtime(1.5)`)).toEqual({ v: '1970-01-01 00:00:01.5+00', t: 'TIMESTAMP WITH TIME ZONE' });
    expect(await text(`from_unixtime(1741101729)`)).toBe('2025-03-04 15:22:09+00');
    expect(await value(`to_unixtime(from_iso8601_timestamp('1970-01-01T00:00:01.5Z'))`)).toEqual({ v: '1.5', t: 'DOUBLE' });
  });
});

describe('string, array, regexp and aggregate functions', () => {
  it('url_decode decodes + as a space and %XX as UTF-8 bytes', async () => {
    expect(await text(`url_decode('http%3A%2F%2Ftrino.io%2F+a%2Bb+caf%C3%A9')`)).toBe('http://trino.io/ a+b café');
  });

  it('array_join omits NULL elements unless a replacement is given', async () => {
    expect(await text(`array_join(ARRAY['a', NULL, 'b'], ',')`)).toBe('a,b');
    expect(await text(`array_join(ARRAY['a', NULL, 'b'], ',', 'N')`)).toBe('a,N,b');
    expect(await text(`array_join(ARRAY[1, 2], '-')`)).toBe('1-2');
  });

  it('cardinality and element_at on arrays, element_at on maps', async () => {
    expect(await value(`cardinality(ARRAY[1, 2, 3])`)).toEqual({ v: '3', t: 'BIGINT' });
    expect(await text(`element_at(ARRAY[1, 2, 3], 2)`)).toBe('2');
    expect(await text(`element_at(ARRAY[1, 2, 3], -1)`)).toBe('3');
    expect(await text(`element_at(ARRAY[1, 2, 3], 5)`)).toBeNull();
    expect(await text(`element_at(MAP {'k': 'v'}, 'k')`)).toBe('v');
    expect(await text(`element_at(MAP {'k': 'v'}, 'x')`)).toBeNull();
  });

  it('split_part is NULL past the last field; concat and greatest/least propagate NULL', async () => {
    expect(await text(`split_part('a,b,c', ',', 2)`)).toBe('b');
    expect(await text(`split_part('a,b,c', ',', 4)`)).toBeNull();
    expect(await text(`concat('a', 'b', 'c')`)).toBe('abc');
    expect(await text(`concat('a', NULL)`)).toBeNull();
    expect(await text(`greatest(1, 3, 2)`)).toBe('3');
    expect(await text(`greatest(1, NULL)`)).toBeNull();
    expect(await text(`least(2, 1)`)).toBe('1');
    expect(await text(`least(NULL, 1)`)).toBeNull();
    expect(await text(`replace('abcabc', 'b')`)).toBe('acac');
    expect(await text(`replace('abcabc', 'b', 'x')`)).toBe('axcaxc');
  });

  it('regexp functions: NULL when nothing matches, every match replaced, $g group references', async () => {
    expect(await text(`regexp_extract('1a 2b 14m', '\\d+')`)).toBe('1');
    expect(await text(`regexp_extract('1a 2b 14m', '(\\d+)([a-z]+)', 2)`)).toBe('a');
    expect(await text(`regexp_extract('abc', '\\d+')`)).toBeNull();
    expect(await text(`regexp_extract('abc', '(\\d+)', 1)`)).toBeNull();
    expect(await text(`regexp_like('1a 2b 14m', '\\d+b')`)).toBe('true');
    expect(await text(`regexp_replace('1a 2b 14m', '\\d+[ab] ')`)).toBe('14m');
    expect(await text(`regexp_replace('1a 2b 14m', '(\\d+)([ab]) ', '3c$2 ')`)).toBe('3ca 3cb 14m');
    expect(await text(`regexp_extract_all('1a 2b 14m', '\\d+')`)).toBe('[1, 2, 14]');
    expect(await text(`regexp_extract_all('1a 2b 14m', '(\\d+)([a-z]+)', 2)`)).toBe('[a, b, m]');
  });

  it('sequence(start, stop[, step]) includes both ends', async () => {
    expect(await text(`sequence(1, 5)`)).toBe('[1, 2, 3, 4, 5]');
    expect(await text(`sequence(5, 1, -2)`)).toBe('[5, 3, 1]');
    expect(
      await text(`array_join(list_transform(sequence(TIMESTAMP '2025-03-04 00:00:00', TIMESTAMP '2025-03-04 02:00:00', INTERVAL '1' HOUR), h -> hour(h)), ',')`),
    ).toBe('0,1,2');
    expect(await text(`(SELECT count(*) FROM UNNEST(sequence(1, 3)) AS t (h))`)).toBe('3');
  });

  it('approx_distinct counts distinct non-NULL values (exactly, within Trino’s error bound)', async () => {
    expect(await text(`(SELECT approx_distinct(x) FROM (VALUES (1), (1), (2), (NULL)) t(x))`)).toBe('2');
  });
});

describe('row_number() filters (the saved queries\' dedupe)', () => {
  it('keeps every row whose number passes, whatever the ORDER BY, and yields nothing on empty input', async () => {
    const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRows().map((r) => r.map(String));
    expect(await rows(`SELECT c0, c1 FROM (SELECT c0, row_number() OVER (PARTITION BY c0 ORDER BY NULL) AS c1 FROM (VALUES (3), (3)) t(c0)) WHERE c1 <= 7 ORDER BY c1`)).toEqual([
      ['3', '1'],
      ['3', '2'],
    ]);
    expect(await rows(`SELECT id FROM (SELECT id, row_number() OVER (ORDER BY nullif(id % 3, 0) DESC NULLS LAST) AS rn FROM (VALUES (1), (2), (3)) t(id)) WHERE rn <= 3 ORDER BY rn`)).toEqual([
      ['2'],
      ['1'],
      ['3'],
    ]);
    expect(await rows(`SELECT p FROM (SELECT p, row_number() OVER (ORDER BY s) AS rn FROM (SELECT 1 AS s, 2 AS p WHERE false)) WHERE rn <= 1`)).toEqual([]);
  });
});

describe('functions native in DuckDB with Trino semantics', () => {
  const ts = `TIMESTAMP '2001-08-22 03:04:05.321'`;

  it('string functions', async () => {
    expect(await text(`lower('AbC')`)).toBe('abc');
    expect(await text(`upper('AbC')`)).toBe('ABC');
    expect(await value(`length('héllo')`)).toEqual({ v: '5', t: 'BIGINT' });
    expect(await text(`strpos('abc', 'c')`)).toBe('3');
    expect(await text(`strpos('abc', 'x')`)).toBe('0');
    expect(await text(`substr('hello', 2, 3)`)).toBe('ell');
    expect(await text(`substr('hello', -3)`)).toBe('llo');
    expect(await text(`starts_with('arn:aws:sts', 'arn:')`)).toBe('true');
    expect(await text(`split('a,b,c', ',')`)).toBe('[a, b, c]');
    expect(await text(`coalesce(NULL, 'x')`)).toBe('x');
    expect(await text(`nullif('a', 'a')`)).toBeNull();
    expect(await text(`'a' || NULL`)).toBeNull();
  });

  it('date parts and truncation', async () => {
    expect(await text(`[year(${ts}), month(${ts}), day(${ts}), hour(${ts}), minute(${ts}), second(${ts}), quarter(${ts}), week(${ts})]`)).toBe(
      '[2001, 8, 22, 3, 4, 5, 3, 34]',
    );
    expect(await value(`date(${ts})`)).toEqual({ v: '2001-08-22', t: 'DATE' });
    expect(await text(`date_trunc('day', TIMESTAMP '2022-10-20 05:10:00')`)).toBe('2022-10-20 00:00:00');
    expect(await text(`date_trunc('month', TIMESTAMP '2022-10-20 05:10:00')`)).toBe('2022-10-01 00:00:00');
    expect(await text(`date_trunc('week', ${ts})`)).toBe('2001-08-20 00:00:00');
    expect(await text(`date_trunc('quarter', ${ts})`)).toBe('2001-07-01 00:00:00');
    expect(await text(`hour(from_iso8601_timestamp('2025-03-04T15:22:09Z'))`)).toBe('15');
    expect((await value('now()')).t).toBe('TIMESTAMP WITH TIME ZONE');
    expect((await value('current_date')).t).toBe('DATE');
  });

  it('aggregates and array membership', async () => {
    const agg = await conn.runAndReadAll(`SELECT count(DISTINCT x) AS d, count_if(x > 1) AS c, max_by(y, x) AS mx, min_by(y, x) AS mn,
      bool_and(x > 0) AS ba, bool_or(x > 2) AS bo, arbitrary(z) AS a FROM (VALUES (1, 'a', 'z'), (2, 'b', 'z'), (2, 'c', 'z')) t(x, y, z)`);
    expect(agg.getRowObjectsJson()[0]).toMatchObject({ d: '2', c: '2', mn: 'a', ba: true, bo: false, a: 'z' });
    expect(['b', 'c']).toContain(agg.getRowObjectsJson()[0]!.mx);
    expect(await text(`contains(ARRAY[1, 2], 2)`)).toBe('true');
    expect(await text(`contains(ARRAY[1, 2], 3)`)).toBe('false');
  });
});
