import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineJsonPaths, jsonPointer } from '@/lib/engine/duckdb/json-paths';
import { installTrinoMacros } from '@/lib/engine/duckdb/macros';
import { sqlString } from '@/lib/lake/read-sql';

// Literal JSONPaths are turned into JSON Pointers before DuckDB plans a statement; the pointer and
// every answer must be exactly what the macros give for the same path.
let instance: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await installTrinoMacros(conn);
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

const PATHS = [
  '$.imageSetId',
  '$.bucketName',
  '$.key',
  '$.encryptionContext["aws:s3:arn"]',
  '$.a.b.c',
  '$.list[0]',
  '$["x/y"]',
  '$["til~de"]',
  '$["quote\\"d"]',
  '$.ünïcode_1',
  "$.it's",
  '$',
  'imageSetId',
  '$..a',
  '$.a[',
  '$.a b',
];
const DOCS = [
  '{"imageSetId":"abc","bucketName":"b","key":"k/1","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::b/k"},"a":{"b":{"c":3}},"list":[1,2],"x/y":"slash","til~de":"t","quote\\"d":"q","ünïcode_1":true}',
  '{"a":{"b":{"c":{"d":1}}},"list":["s"]}',
  'not json',
  '{"key":null}',
];

async function macroPointer(path: string): Promise<string | null> {
  try {
    return ((await conn.runAndReadAll(`SELECT custos_json_pointer(${sqlString(path)})`)).getRows()[0]![0] as string | null) ?? null;
  } catch {
    return null;
  }
}

describe('literal JSONPaths as JSON Pointers', () => {
  it.each(PATHS)('%s gives the pointer the macro gives, or none where the macro refuses the path', async (path) => {
    expect(jsonPointer(path)).toBe(await macroPointer(path));
  });

  it('calls with a literal path answer exactly as the macros do', async () => {
    for (const path of PATHS.filter((p) => jsonPointer(p) !== null)) {
      for (const fn of ['json_extract_scalar', 'json_extract']) {
        const original = `SELECT CAST(${fn}(doc, ${sqlString(path)}) AS VARCHAR) FROM (SELECT unnest([${DOCS.map(sqlString).join(', ')}]) AS doc)`;
        const inlined = inlineJsonPaths(original);
        expect(inlined, `${fn} ${path}`).not.toContain(`${fn}(`);
        const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
        expect(await rows(inlined), `${fn} ${path}`).toEqual(await rows(original));
      }
    }
  });

  it('leaves a call alone when its path is not a literal, or not a valid path (the macro then raises Trino\'s error)', () => {
    const sql = "SELECT json_extract_scalar(doc, p), json_extract_scalar(doc, '$..a'), json_extract_scalar(lower(doc), '$.a') FROM t";
    expect(inlineJsonPaths(sql)).toBe(sql);
    expect(inlineJsonPaths("SELECT json_extract_scalar(requestparameters, '$.encryptionContext[\"aws:s3:arn\"]')")).toBe(
      "SELECT custos_json_scalar_at(requestparameters, '/encryptionContext/aws:s3:arn')",
    );
  });
});
