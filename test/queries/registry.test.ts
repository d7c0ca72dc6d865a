import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { QUERIES_DIR, QueryFileError, listQueries, loadRegistry, parseSavedQuery } from '@/lib/queries/registry';
import { toPositional } from '@/lib/queries/placeholders';

const { Parser } = pkg as unknown as { Parser: new () => { astify(sql: string, opts: { database: string }): unknown } };

// Functions the saved queries may call: documented Trino functions that the embedded engine
// either has with the same semantics or provides as a tested macro (lib/engine/duckdb/macros.ts).
const TRINO_FUNCTIONS = new Set([
  'array_agg', 'array_join', 'array_sort', 'at_timezone', 'bool_or', 'coalesce', 'concat', 'concat_ws', 'count', 'count_if',
  'date_add', 'date_diff', 'date_format', 'date_trunc', 'from_iso8601_timestamp', 'greatest', 'hour', 'json_extract_scalar',
  'max', 'min', 'nullif', 'parse_datetime', 'regexp_extract', 'regexp_like', 'replace', 'round', 'row_number', 'sequence', 'split_part',
  'starts_with', 'substr', 'sum', 'unnest', 'upper', 'url_decode',
]);

function functionsOf(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => functionsOf(n, out));
  else if (node && typeof node === 'object') {
    const n = node as { type?: string; name?: unknown };
    if (n.type === 'function') {
      const name = n.name as { name?: { value: string }[] } | string;
      out.add((typeof name === 'string' ? name : (name.name ?? []).map((p) => p.value).join('.')).toLowerCase());
    }
    if (n.type === 'aggr_func' && typeof n.name === 'string') out.add(n.name.toLowerCase());
    Object.values(node).forEach((v) => functionsOf(v, out));
  }
  return out;
}

describe('saved-query registry', () => {
  const queries = listQueries();

  it('holds the audit library', () => {
    expect(queries.map((q) => q.id).sort()).toEqual([
      'access-by-principal', 'access-volume', 'after-hours-access', 'after-hours-summary', 'bulk-access', 'decrypt-denied-events',
      'decrypt-denied-minutes', 'decrypt-denied-timeline', 'failed-access', 'patient-access-history', 'patient-studies', 'retention-due',
      'storage-object-ages', 'storage-posture', 'storage-tier-distribution', 'storage-tier-trend', 'study-access', 'trail-coverage',
      'user-activity', 'vip-access',
    ]);
  });

  it.each(queries.map((q) => [q.id, q] as const))('%s parses as Trino SQL and calls only documented Trino functions', (_id, query) => {
    const ast = new Parser().astify(query.sql, { database: 'trino' });
    const unknown = [...functionsOf(ast)].filter((f) => !TRINO_FUNCTIONS.has(f));
    expect(unknown).toEqual([]);
    expect(toPositional(query.sql.replaceAll('?', 'NULL')).names).toEqual([]);
    expect(query.bindOrder.length).toBe((query.sql.match(/\?/g) ?? []).length);
  });

  it.each(queries.map((q) => [q.id, q] as const))('%s bounds every log-table scan by its partitions', (_id, query) => {
    for (const table of ['cloudtrail_logs', 's3_access_logs']) {
      const scans = query.body.split(new RegExp(`FROM ${table}\\b`)).length - 1;
      // the raw part of a window beside the access index starts at its first raw day (the day before, for records just before it)
      const bounded = (query.body.match(/"timestamp" BETWEEN :from(?:_raw_slack)?_partition AND :to_next_partition/g) ?? []).length;
      if (scans > 0) expect(bounded).toBeGreaterThanOrEqual(scans);
    }
    const indexScans = query.body.split(/FROM access_index\b/).length - 1;
    expect((query.body.match(/day BETWEEN :from_day AND :to_indexed/g) ?? []).length).toBe(indexScans);
  });

  it('turns named parameters into positional ones, leaving strings and comments alone', () => {
    const { sql, names } = toPositional("SELECT ':no', \"a:b\" -- :comment\nFROM t WHERE x = :one AND y::int = :two /* :c */ AND z = :one");
    expect(sql).toBe("SELECT ':no', \"a:b\" -- :comment\nFROM t WHERE x = ? AND y::int = ? /* :c */ AND z = ?");
    expect(names).toEqual(['one', 'two', 'one']);
    expect(() => toPositional('SELECT ? FROM t')).toThrow(/must name its parameters/);
  });

  it('refuses malformed query files with a message naming the file and the problem', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-queries-'));
    const header = (extra: string) => `/*---\nid: q\ntitle: Q\ndescription: d\nroles: [privacy_officer]\ncolumns: [{name: a, description: b}]\n${extra}\n---*/\n`;
    expect(() => parseSavedQuery(header('tables: [cloudtrail_logs]') + 'SELECT 1 FROM cloudtrail_logs', 'q.sql', dir)).toThrow(/must declare its date range/);
    expect(() => parseSavedQuery(header('tables: [study_catalog]') + 'SELECT :nope FROM study_catalog', 'q.sql', dir)).toThrow(/:nope is not a declared parameter/);
    expect(() => parseSavedQuery(header('tables: [study_catalog]\nroles: [wizard]'), 'q.sql', dir)).toThrow(/q.sql: the header is not valid YAML/);
    expect(() => parseSavedQuery(header('tables: [study_catalog]').replace('[privacy_officer]', '[wizard]'), 'q.sql', dir)).toThrow(QueryFileError);
    expect(() => parseSavedQuery('SELECT 1', 'q.sql', dir)).toThrow(/missing the \/\*--- … ---\*\/ metadata header/);
    fs.rmSync(dir, { recursive: true });
  });

  it('accepts one SELECT, WITH … SELECT or set operation, with or without a closing semicolon', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-queries-'));
    const header = `/*---\nid: q\ntitle: Q\ndescription: d\nroles: [auditor]\ntables: [study_catalog]\ncolumns: [{name: a, description: b}]\n---*/\n`;
    for (const body of [
      'SELECT 1 AS a FROM study_catalog',
      '-- leading comment\nWITH s AS (SELECT study_date FROM study_catalog) SELECT count(*) AS a FROM s;',
      '(SELECT 1 AS a) UNION ALL (SELECT 2 AS a)',
      "SELECT 'x; DROP TABLE y' AS a",
    ]) {
      expect(parseSavedQuery(header + body, 'q.sql', dir).body).toBe(body.trim());
    }
    fs.rmSync(dir, { recursive: true });
  });

  it.each([
    ['a second statement', 'SELECT 1 AS a; DROP TABLE study_catalog', /q\.sql: must be one statement, but holds 2 separated by ';'/],
    ['two SELECTs', 'SELECT 1 AS a; SELECT 2 AS a', /q\.sql: must be one statement, but holds 2/],
    ['INSERT', "INSERT INTO study_catalog VALUES ('x')", /q\.sql: must be one SELECT \(or WITH … SELECT\) statement, not INSERT/],
    ['UPDATE', "UPDATE study_catalog SET modality = 'x'", /not UPDATE/],
    ['DELETE', 'DELETE FROM study_catalog', /not DELETE/],
    ['CREATE', 'CREATE TABLE t (a int)', /not CREATE/],
    ['CTAS', 'CREATE TABLE t AS SELECT * FROM study_catalog', /not CREATE/],
    ['DROP', 'DROP TABLE study_catalog', /not DROP/],
    ['COPY', "COPY (SELECT 1) TO '/tmp/x.csv'", /not COPY/],
    ['ATTACH', "ATTACH '/tmp/x.duckdb' AS x", /not ATTACH/],
    ['PRAGMA', 'PRAGMA enable_profiling', /not PRAGMA/],
    ['SET', 'SET enable_external_access = true', /not SET/],
    ['CALL', 'CALL system.sync_partition_metadata()', /not CALL/],
    ['EXPORT', "EXPORT DATABASE '/tmp/x'", /not EXPORT/],
    ['INSTALL', 'INSTALL httpfs', /not INSTALL/],
    ['LOAD', 'LOAD httpfs', /not LOAD/],
    ['UNLOAD', "UNLOAD (SELECT 1) TO 's3://bucket/x/' WITH (format = 'CSV')", /not UNLOAD/],
    ['SELECT … INTO', 'SELECT * INTO copied FROM study_catalog', /must not write its result anywhere \(SELECT … INTO\)/],
    ['WITH … INSERT', 'WITH s AS (SELECT 1 AS a) INSERT INTO t SELECT * FROM s', /q\.sql: is not one SELECT statement in Trino SQL at line 1, column \d+/],
    ['a statement hidden in a fragment', 'SELECT 1 AS a; {{> sneaky}}', /q\.sql: must be one statement, but holds 2/],
  ])('refuses a body that is %s, naming the file and why', (_what, body, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-queries-'));
    fs.mkdirSync(path.join(dir, 'fragments'));
    fs.writeFileSync(path.join(dir, 'fragments', 'sneaky.sql'), 'DROP TABLE study_catalog');
    const header = `/*---\nid: q\ntitle: Q\ndescription: d\nroles: [auditor]\ntables: [study_catalog]\ncolumns: [{name: a, description: b}]\n---*/\n`;
    try {
      expect(() => parseSavedQuery(header + body, 'q.sql', dir)).toThrow(QueryFileError);
      expect(() => parseSavedQuery(header + body, 'q.sql', dir)).toThrow(message);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('loads every file in queries/ and nothing else', () => {
    const files = fs.readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.sql'));
    expect(loadRegistry().size).toBe(files.length + (process.env.CUSTOS_EXTRA_QUERIES_DIR ? fs.readdirSync(process.env.CUSTOS_EXTRA_QUERIES_DIR).length : 0));
  });
});
