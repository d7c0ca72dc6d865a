import 'server-only';
import type { DuckDBConnection } from '@duckdb/node-api';

// Trino functions used by the saved queries, as DuckDB macros with Trino's documented semantics.
// Macros live in the database's main schema, where they take precedence over DuckDB built-ins of
// the same name (the built-in stays reachable as system.main.<name>) and every connection sees them.
//
// Native in DuckDB with the same semantics (checked in test/engine/duckdb/macros.test.ts):
// lower, upper, length, strpos, substr, starts_with, split, coalesce, nullif, year, month, day,
// hour, minute, second, quarter, week, date, date_trunc (timestamps), count(DISTINCT), count_if,
// arbitrary, max_by, min_by, bool_and, bool_or, contains, now, and `/` once integer_division is on.
// Not emulated: timestamps carry no zone (UTC, or the wall time of at_timezone), date_trunc and
// date_add on DATE return TIMESTAMP, cardinality covers arrays only, JSON numbers in exponent
// form are re-printed by json_extract_scalar, integer division by zero is NULL instead of an error,
// date_parse is absent (DuckDB's strptime needs a literal format), sequence over DATEs needs an
// explicit step.

const TOKENS = String.raw`regexp_extract_all(substr(path, 2), '\.[\pL\pN_:]+|\[[\pL\pN_]+\]|\["(?:[^"\\]|\\["\\])*"\]')`;

/** Trino JSONPath (`$.a.b`, `$.a[0]`, `$.a["b:c"]`, `$[key]`) → JSON Pointer; an invalid path raises Trino's error. */
const JSON_POINTER = String.raw`
CREATE OR REPLACE MACRO custos_json_pointer(path) AS CASE
  WHEN path IS NULL THEN NULL
  WHEN NOT starts_with(path, '$') OR '$' || array_to_string(${TOKENS}, '') <> path
    THEN error('Invalid JSON path: ''' || path || '''')
  ELSE array_to_string(list_transform(${TOKENS}, t ->
    '/' || system.main.replace(system.main.replace(
      CASE
        WHEN starts_with(t, '.') THEN substr(t, 2)
        WHEN starts_with(t, '["') THEN system.main.regexp_replace(substr(t, 3, length(t) - 4), '\\(["\\])', '\1', 'g')
        ELSE substr(t, 2, length(t) - 2)
      END, '~', '~0'), '/', '~1')), '')
END`;

/** MySQL date format (Trino's date_format) → strftime format. */
const MYSQL_FORMAT = `
CREATE OR REPLACE MACRO custos_mysql_format(fmt) AS array_to_string(list_transform(
  regexp_extract_all(fmt, '%.|[^%]+'),
  t -> CASE t
    WHEN '%a' THEN '%a' WHEN '%b' THEN '%b' WHEN '%d' THEN '%d' WHEN '%H' THEN '%H'
    WHEN '%h' THEN '%I' WHEN '%I' THEN '%I' WHEN '%i' THEN '%M' WHEN '%j' THEN '%j'
    WHEN '%M' THEN '%B' WHEN '%m' THEN '%m' WHEN '%p' THEN '%p' WHEN '%S' THEN '%S'
    WHEN '%s' THEN '%S' WHEN '%T' THEN '%H:%M:%S' WHEN '%r' THEN '%I:%M:%S %p'
    WHEN '%v' THEN '%V' WHEN '%W' THEN '%A' WHEN '%x' THEN '%G' WHEN '%Y' THEN '%Y'
    WHEN '%y' THEN '%y' WHEN '%%' THEN '%%'
    WHEN '%c' THEN '%-m'
    WHEN '%e' THEN '%-d'
    WHEN '%k' THEN '%-H'
    WHEN '%l' THEN '%-I'
    WHEN '%f' THEN '%g000'
    ELSE CASE WHEN starts_with(t, '%') THEN system.main.replace(substr(t, 2), '%', '%%') ELSE t END
  END), '')`;

const ISO_TIMESTAMP = String.raw`^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$`;

export const TRINO_MACROS: readonly string[] = [
  JSON_POINTER,
  `CREATE OR REPLACE MACRO json_extract(json, path) AS
     CASE WHEN json_valid(json) THEN system.main.json_extract(json, custos_json_pointer(path)) END`,
  // json_value is NULL for objects and arrays, so the document is parsed once after validation
  // (invalid JSON is NULL, as in Trino) and only the scalar it returns is decoded again.
  `CREATE OR REPLACE MACRO json_extract_scalar(json, path) AS
     CASE WHEN json_valid(json) THEN json_extract_string(json_value(json, custos_json_pointer(path)), '$') END`,
  // the same two, given a JSON Pointer worked out beforehand from a literal path (json-paths.ts)
  `CREATE OR REPLACE MACRO custos_json_at(json, pointer) AS
     CASE WHEN json_valid(json) THEN system.main.json_extract(json, pointer) END`,
  `CREATE OR REPLACE MACRO custos_json_scalar_at(json, pointer) AS
     CASE WHEN json_valid(json) THEN json_extract_string(json_value(json, pointer), '$') END`,
  `CREATE OR REPLACE MACRO json_parse(text) AS json(text)`,
  `CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)`,

  // The first branch is CloudTrail's eventTime form (YYYY-MM-DDTHH:MM:SSZ), which DuckDB's cast reads exactly.
  String.raw`CREATE OR REPLACE MACRO from_iso8601_timestamp(text) AS CASE
     WHEN text IS NULL THEN NULL
     WHEN length(text) = 20 AND substr(text, 11, 1) = 'T' AND substr(text, 20, 1) = 'Z' AND substr(text, 5, 1) = '-'
       THEN CAST(text AS TIMESTAMPTZ)
     WHEN regexp_full_match(text, '${ISO_TIMESTAMP}') THEN date_trunc('millisecond', CAST(
       system.main.regexp_replace(system.main.regexp_replace(system.main.replace(text, ',', '.'),
         '^(\d{4}-\d{2}-\d{2}T\d{2})(Z|[+-].*)?$', '\1:00\2'),
         '^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-].*)?$', '\1:00\2') AS TIMESTAMPTZ))
     ELSE error('Invalid format: "' || text || '"') END`,
  String.raw`CREATE OR REPLACE MACRO from_iso8601_date(text) AS CASE
     WHEN text IS NULL THEN NULL
     WHEN regexp_full_match(text, '\d{4}-\d{2}-\d{2}') THEN CAST(text AS DATE)
     ELSE error('Invalid format: "' || text || '"') END`,
  `CREATE OR REPLACE MACRO to_iso8601(x) AS CASE typeof(x)
     WHEN 'DATE' THEN strftime(CAST(x AS DATE), '%Y-%m-%d')
     WHEN 'TIMESTAMP WITH TIME ZONE' THEN strftime(timezone('UTC', CAST(x AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%gZ')
     ELSE strftime(CAST(x AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') END`,
  `CREATE OR REPLACE MACRO parse_datetime(text, pattern) AS CASE pattern
     WHEN 'dd/MMM/yyyy:HH:mm:ss Z' THEN strptime(text, '%d/%b/%Y:%H:%M:%S %z')
     WHEN 'yyyy-MM-dd HH:mm:ss' THEN CAST(strptime(text, '%Y-%m-%d %H:%M:%S') AS TIMESTAMPTZ)
     WHEN 'yyyy-MM-dd''T''HH:mm:ss' THEN CAST(strptime(text, '%Y-%m-%dT%H:%M:%S') AS TIMESTAMPTZ)
     WHEN 'yyyy-MM-dd''T''HH:mm:ss''Z''' THEN CAST(strptime(text, '%Y-%m-%dT%H:%M:%SZ') AS TIMESTAMPTZ)
     WHEN 'yyyy-MM-dd' THEN CAST(strptime(text, '%Y-%m-%d') AS TIMESTAMPTZ)
     ELSE error('parse_datetime pattern not supported by the embedded engine: ' || pattern) END`,
  MYSQL_FORMAT,
  `CREATE OR REPLACE MACRO date_format(ts, fmt) AS CASE
     WHEN list_has_any(regexp_extract_all(fmt, '%.|[^%]+'), ['%D', '%U', '%u', '%V', '%w', '%X'])
       THEN error('date_format: the specifiers %D %U %u %V %w %X are not supported')
     ELSE strftime(ts, custos_mysql_format(fmt)) END`,
  `CREATE OR REPLACE MACRO at_timezone(ts, zone) AS timezone(zone, CAST(ts AS TIMESTAMPTZ))`,
  `CREATE OR REPLACE MACRO from_unixtime(seconds) AS date_trunc('millisecond', to_timestamp(seconds))`,
  `CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts)`,

  `CREATE OR REPLACE MACRO date_add(a, b) AS system.main.date_add(a, b),
     (unit, n, ts) AS ts + CASE lower(unit)
       WHEN 'millisecond' THEN to_milliseconds(n) WHEN 'second' THEN to_seconds(n)
       WHEN 'minute' THEN to_minutes(n) WHEN 'hour' THEN to_hours(n) WHEN 'day' THEN to_days(n)
       WHEN 'week' THEN to_weeks(n) WHEN 'month' THEN to_months(n) WHEN 'quarter' THEN to_months(3 * n)
       WHEN 'year' THEN to_years(n) ELSE error('''' || unit || ''' is not a valid Timestamp field') END`,
  `CREATE OR REPLACE MACRO date_diff(unit, a, b) AS date_sub(lower(unit), a, b)`,
  `CREATE OR REPLACE MACRO day_of_week(x) AS isodow(x)`,
  `CREATE OR REPLACE MACRO dow(x) AS isodow(x)`,
  `CREATE OR REPLACE MACRO day_of_month(x) AS day(x)`,
  `CREATE OR REPLACE MACRO day_of_year(x) AS dayofyear(x)`,
  `CREATE OR REPLACE MACRO doy(x) AS dayofyear(x)`,
  `CREATE OR REPLACE MACRO week_of_year(x) AS week(x)`,
  `CREATE OR REPLACE MACRO year_of_week(x) AS isoyear(x)`,
  `CREATE OR REPLACE MACRO yow(x) AS isoyear(x)`,
  `CREATE OR REPLACE MACRO millisecond(x) AS system.main.millisecond(x) % 1000`,
  `CREATE OR REPLACE MACRO last_day_of_month(x) AS last_day(x)`,

  `CREATE OR REPLACE MACRO array_join(arr, sep) AS array_to_string(arr, sep),
     (arr, sep, null_text) AS array_to_string(list_transform(arr, e -> coalesce(CAST(e AS VARCHAR), null_text)), sep)`,
  `CREATE OR REPLACE MACRO cardinality(arr) AS len(arr)`,
  `CREATE OR REPLACE MACRO element_at(container, key) AS container[key]`,
  `CREATE OR REPLACE MACRO url_decode(text) AS system.main.url_decode(system.main.replace(text, '+', ' '))`,
  `CREATE OR REPLACE MACRO split_part(text, delimiter, field) AS
     CASE WHEN field <= len(string_split(text, delimiter)) THEN system.main.split_part(text, delimiter, field) END`,
  `CREATE OR REPLACE MACRO replace(text, search) AS system.main.replace(text, search, ''),
     (text, search, replacement) AS system.main.replace(text, search, replacement)`,
  `CREATE OR REPLACE MACRO concat(a, b) AS a || b, (a, b, c) AS a || b || c, (a, b, c, d) AS a || b || c || d,
     (a, b, c, d, e) AS a || b || c || d || e, (a, b, c, d, e, f) AS a || b || c || d || e || f`,
  `CREATE OR REPLACE MACRO greatest(a, b) AS CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN system.main.greatest(a, b) END,
     (a, b, c) AS CASE WHEN a IS NOT NULL AND b IS NOT NULL AND c IS NOT NULL THEN system.main.greatest(a, b, c) END`,
  `CREATE OR REPLACE MACRO least(a, b) AS CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN system.main.least(a, b) END,
     (a, b, c) AS CASE WHEN a IS NOT NULL AND b IS NOT NULL AND c IS NOT NULL THEN system.main.least(a, b, c) END`,

  `CREATE OR REPLACE MACRO regexp_like(text, pattern) AS regexp_matches(text, pattern)`,
  `CREATE OR REPLACE MACRO regexp_extract(text, pattern) AS
       CASE WHEN regexp_matches(text, pattern) THEN system.main.regexp_extract(text, pattern) END,
     (text, pattern, grp) AS
       CASE WHEN regexp_matches(text, pattern) THEN system.main.regexp_extract(text, pattern, grp) END`,
  String.raw`CREATE OR REPLACE MACRO regexp_replace(text, pattern) AS system.main.regexp_replace(text, pattern, '', 'g'),
     (text, pattern, replacement) AS
       system.main.regexp_replace(text, pattern, system.main.regexp_replace(replacement, '\$(\d)', '\\\1', 'g'), 'g')`,

  `CREATE OR REPLACE MACRO sequence(start, stop) AS generate_series(start, stop),
     (start, stop, step) AS generate_series(start, stop, step)`,

  `CREATE OR REPLACE MACRO approx_distinct(x) AS count(DISTINCT x)`,
];

/**
 * DuckDB 1.5's top-N window rewrite returns wrong rows for the row_number() dedupe the saved
 * queries use (rows dropped when the ORDER BY is NULL, a NULL row on empty input:
 * duckdb/duckdb#23675, #23677, #24363); a connection that sets its own list must keep it.
 */
export const DISABLED_OPTIMIZERS = 'top_n_window_elimination';

/** Installs the Trino shims on the connection's database and sets Trino's session semantics (idempotent). */
export async function installTrinoMacros(conn: DuckDBConnection): Promise<void> {
  await conn.run(`SET GLOBAL TimeZone = 'UTC'`);
  await conn.run(`SET TimeZone = 'UTC'`);
  await conn.run(`SET GLOBAL integer_division = true`);
  await conn.run(`SET GLOBAL default_null_order = 'nulls_last'`);
  await conn.run(`SET GLOBAL disabled_optimizers = '${DISABLED_OPTIMIZERS}'`);
  for (const sql of TRINO_MACROS) await conn.run(sql);
}
