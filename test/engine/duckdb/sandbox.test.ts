import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '@/lib/config/env';
import { createDuckDbEngine } from '@/lib/engine/duckdb/adapter';
import type { Cell, EngineRequest, QueryEngine } from '@/lib/engine/port';
import { compactLake } from '@/lib/lake/compact';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';
import type { LakeLocation } from '@/lib/lake/tables';
import { findQuery } from '@/lib/queries/registry';
import { ctRecord, putCloudTrail } from '../../lake/helpers/lake-builder';

// Saved SQL is code from files: the embedded engine lets it read the lake and nothing else, write
// nothing, load nothing and change no setting, while the engine's own views, staging and spilling
// keep working. The data directory is laid out as the portal lays it out (lake inside it).

const SECRET = 'session-signing-secret-not-for-queries';

describe('the embedded engine runs saved SQL in a sandbox', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-sandbox-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-sandbox-outside-'));
  const lake: LakeLocation = { dir: path.join(dataDir, 'lake'), layout: DEFAULT_LAYOUT };
  const secretFile = path.join(dataDir, 'nextauth-secret');
  const day = { from: '2025-03-03', to: '2025-03-03' };
  let engine: QueryEngine;

  const run = async (sql: string, request: Partial<EngineRequest> = {}): Promise<Cell[][]> => {
    const execution = await engine.execute({ sql, binds: [], tables: [], scope: null, ...request });
    const rows: Cell[][] = [];
    for await (const batch of execution.batches) rows.push(...batch);
    await execution.stats();
    return rows;
  };

  beforeAll(async () => {
    fs.writeFileSync(secretFile, SECRET, { mode: 0o600 });
    putCloudTrail(lake, { at: '2025-03-03T10:00:00Z' }, [ctRecord(), ctRecord()]);
    engine = await createDuckDbEngine({ lake, tempDir: path.join(dataDir, 'tmp') });
  });
  afterAll(async () => {
    await engine?.close();
    delete process.env.CUSTOS_EXTRA_QUERIES_DIR;
    resetEnvCache();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const countDay = () =>
    run(`SELECT count(*) FROM cloudtrail_logs WHERE "timestamp" BETWEEN '2025/03/03' AND '2025/03/04'`, { tables: ['cloudtrail_logs'], scope: day });

  it('still reads raw objects (staged under the lake) and the compacted Parquet layer', async () => {
    expect(await countDay()).toEqual([[2]]);
    expect(fs.readdirSync(path.join(lake.dir, '_custos', 'stage', 'cloudtrail_logs')).length).toBeGreaterThan(0);
    await compactLake(lake);
    putCloudTrail(lake, { at: '2025-03-03T12:00:00Z' }, [ctRecord()]);
    expect(await countDay()).toEqual([[3]]);
  });

  it('refuses an extra query, loaded through the registry, that reads the session secret or any file outside the lake', async () => {
    const extra = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-sandbox-queries-'));
    const query = (id: string, body: string) =>
      fs.writeFileSync(
        path.join(extra, `${id}.sql`),
        `/*---\nid: ${id}\ntitle: ${id}\ndescription: Reads a file.\nroles: [auditor]\ntables: [study_catalog]\ncolumns: [{ name: content, description: Text. }]\n---*/\n${body}\n`,
      );
    query('read-secret', `SELECT content FROM read_text('${secretFile}')`);
    query('read-secret-via-lake', `SELECT content FROM read_text('${lake.dir}/../nextauth-secret')`);
    query('read-passwd', `SELECT content FROM read_text('/etc/passwd')`);
    query('list-data-dir', `SELECT file AS content FROM glob('${dataDir}/*')`);
    query('read-url', `SELECT content FROM read_text('https://example.com/')`);
    process.env.CUSTOS_EXTRA_QUERIES_DIR = extra;
    resetEnvCache();
    try {
      for (const id of ['read-secret', 'read-secret-via-lake', 'read-passwd', 'list-data-dir', 'read-url']) {
        const saved = findQuery(id)!;
        const refused = run(saved.sql, { tables: saved.tables });
        await expect(refused).rejects.toMatchObject({ code: 'failed' });
        await expect(refused).rejects.toThrow(/^The query was refused: the embedded engine reads only the lake \(Permission Error: Cannot access file/);
      }
      await expect(run(findQuery('read-secret')!.sql)).rejects.not.toThrow(SECRET);
    } finally {
      fs.rmSync(extra, { recursive: true, force: true });
    }
  });

  it('writes no file, inside the lake or outside it', async () => {
    for (const target of [path.join(outside, 'x.csv'), path.join(lake.dir, 'x.csv'), path.join(dataDir, 'tmp', 'x.csv')]) {
      await expect(run(`COPY (SELECT 1) TO '${target}'`)).rejects.toThrow(/Only a SELECT statement may run, not COPY|reads only the lake \(Permission Error/);
      expect(fs.existsSync(target)).toBe(false);
    }
    await expect(run(`EXPORT DATABASE '${outside}/db'`)).rejects.toThrow(/Permission Error|not EXPORT/);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it.each([
    ['ATTACH of a new database', `ATTACH ':memory:' AS other`, /Only a SELECT statement may run, not ATTACH/],
    ['ATTACH of a file', `ATTACH '${outside}/other.duckdb' AS other`, /not ATTACH|Permission Error/],
    ['INSTALL', 'INSTALL httpfs', /Only a SELECT statement may run, not LOAD/],
    ['LOAD', 'LOAD httpfs', /Only a SELECT statement may run, not LOAD/],
    ['SET', 'SET enable_external_access = true', /Only a SELECT statement may run, not SET/],
    ['RESET', 'RESET lock_configuration', /Only a SELECT statement may run, not SET/],
    ['PRAGMA', 'PRAGMA enable_profiling', /Only a SELECT statement may run, not PRAGMA/],
    ['CREATE', 'CREATE TABLE t AS SELECT 1 AS a', /Only a SELECT statement may run, not CREATE/],
    ['CALL', 'CALL pragma_version()', /Only a SELECT statement may run, not CALL/],
    ['a second statement', 'SELECT 1; SET enable_external_access = true', /Only one SELECT statement may run; the text holds 2/],
    ['a statement smuggled into query()', `SELECT * FROM query('SET enable_external_access = true')`, /Expected a single SELECT statement/],
  ])('refuses %s', async (_what, sql, message) => {
    await expect(run(sql)).rejects.toThrow(message);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('keeps external access off and the configuration locked for every connection', async () => {
    const settings = await run(
      `SELECT current_setting('enable_external_access'), current_setting('lock_configuration'), current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions'), current_setting('TimeZone')`,
    );
    expect(settings).toEqual([[false, true, false, false, 'UTC']]);
    expect(await countDay()).toEqual([[3]]);
  });

  it('still spills, into a folder of its own whose files are all saved SQL may read beside the lake', async () => {
    const tempDir = path.join(dataDir, 'tmp-small');
    fs.mkdirSync(tempDir);
    fs.writeFileSync(path.join(tempDir, 'planted.txt'), 'not a spill file');
    const small = await createDuckDbEngine({ lake, tempDir, memoryLimit: '64MB', threads: 1 });
    const [spillDir] = fs.readdirSync(tempDir).filter((f) => f.startsWith('duckdb-'));
    const seen = new Set<string>();
    const watch = setInterval(() => fs.readdirSync(path.join(tempDir, spillDir!)).forEach((f) => seen.add(f)), 20);
    const runSmall = async (sql: string) => {
      const execution = await small.execute({ sql, binds: [], tables: [], scope: null });
      const rows: Cell[][] = [];
      for await (const batch of execution.batches) rows.push(...batch);
      return rows;
    };
    try {
      const big = 'SELECT count(*) AS n FROM (SELECT i, md5(CAST(i AS VARCHAR)) || md5(CAST(i + 1 AS VARCHAR)) AS m FROM range(3000000) t(i) ORDER BY m)';
      expect(await runSmall(big)).toEqual([[3000000]]);
      expect([...seen].some((f) => f.startsWith('duckdb_temp'))).toBe(true);
      await expect(runSmall(`SELECT content FROM read_text('${tempDir}/planted.txt')`)).rejects.toThrow(/reads only the lake/);
    } finally {
      clearInterval(watch);
      await small.close();
    }
    expect(fs.readdirSync(tempDir)).toEqual(['planted.txt']);
  });

  it('says which setting to raise when a query needs more memory than the engine may hold', async () => {
    const small = await createDuckDbEngine({ lake, tempDir: path.join(dataDir, 'tmp'), memoryLimit: '32MB', threads: 1 });
    try {
      // one list of two million strings: an aggregate that cannot spill
      const execution = small.execute({ sql: 'SELECT length(list(md5(CAST(i AS VARCHAR)))) FROM range(2000000) t(i)', binds: [], tables: [], scope: null });
      const drain = async () => {
        for await (const batch of (await execution).batches) void batch;
      };
      await expect(drain()).rejects.toThrow(/needs more memory than the embedded engine may hold \(CUSTOS_DUCKDB_MEMORY_LIMIT, 32MB\).*Out of Memory Error/);
    } finally {
      await small.close();
    }
  });

  it('fails a query that fails while its rows stream, rather than handing over the rows read so far as the answer', async () => {
    // the conversion fails at row 500,000, after the first chunks have been read
    const sql = `SELECT CAST(CASE WHEN i = 500000 THEN 'x' ELSE '1' END AS INTEGER) AS v FROM range(1000000) t(i)`;
    const execution = await engine.execute({ sql, binds: [], tables: [], scope: null });
    let rows = 0;
    const drain = async () => {
      for await (const batch of execution.batches) rows += batch.length;
    };
    await expect(drain()).rejects.toThrow(/The query failed after [\d,]+ rows, and the embedded engine did not say why/);
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(500_000);
    await expect(execution.stats()).rejects.toThrow(/failed after/);
    // the same statement whole is answered in full
    expect(await run(`SELECT count(*) FROM range(1000000) t(i)`)).toEqual([[1000000]]);
  });

  it('reports a cancel while the rows stream as a cancel', async () => {
    const controller = new AbortController();
    const sql = 'SELECT i, md5(CAST(i AS VARCHAR)) AS m FROM range(5000000) t(i)';
    const execution = await engine.execute({ sql, binds: [], tables: [], scope: null, signal: controller.signal });
    const drain = async () => {
      for await (const batch of execution.batches) if (batch.length > 0) controller.abort();
    };
    await expect(drain()).rejects.toMatchObject({ code: 'cancelled' });
  });
});
