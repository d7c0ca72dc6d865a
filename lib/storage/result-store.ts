import 'server-only';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { canonicalize } from '@/lib/canonical';
import type { Cell, EngineColumn } from '@/lib/engine/port';
import type { PageRequest, ResultDiff, ResultPage, ResultStore, ResultWriter } from './port';

// A run's result rows, kept beside the portal database as gzip'd JSON lines (one canonical array per
// row). resultSha256 = SHA-256 of the canonical column list line followed by the row lines, so anyone
// can recompute it: (cat <id>.columns.json; gunzip -c <id>.rows.ndjson.gz) | sha256sum

export class LocalResultStore implements ResultStore {
  private db: Promise<DuckDBConnection> | undefined;

  constructor(readonly dir: string) {}

  private rowsPath(runId: string) {
    return path.join(this.dir, `${assertId(runId)}.rows.ndjson.gz`);
  }

  private columnsPath(runId: string) {
    return path.join(this.dir, `${assertId(runId)}.columns.json`);
  }

  exists(runId: string): boolean {
    return fs.existsSync(this.columnsPath(runId)) && fs.existsSync(this.rowsPath(runId));
  }

  async createWriter(runId: string, columns: EngineColumn[]): Promise<ResultWriter> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const rowsFile = this.rowsPath(runId);
    const temp = `${rowsFile}.partial`;
    const hash = createHash('sha256');
    const header = canonicalize(columns) + '\n';
    hash.update(header);
    const input = new PassThrough();
    const gzip = zlib.createGzip({ level: 4 });
    const done = pipeline(input, gzip, fs.createWriteStream(temp));
    let rowCount = 0;
    let failed = false;
    const write = (chunk: string) =>
      new Promise<void>((resolve) => {
        if (input.write(chunk)) resolve();
        else input.once('drain', resolve);
      });
    return {
      write: async (batch) => {
        let text = '';
        for (const row of batch) text += canonicalize(row) + '\n';
        rowCount += batch.length;
        hash.update(text);
        await write(text);
      },
      finish: async () => {
        input.end();
        await done;
        const bytes = (await fs.promises.stat(temp)).size;
        await fs.promises.rename(temp, rowsFile);
        await fs.promises.writeFile(this.columnsPath(runId), header);
        return { columns, rowCount, sha256: hash.digest('hex'), bytes };
      },
      abort: async () => {
        if (failed) return;
        failed = true;
        input.destroy();
        await done.catch(() => undefined);
        await fs.promises.rm(temp, { force: true });
      },
    };
  }

  async columns(runId: string): Promise<EngineColumn[]> {
    const text = await fs.promises.readFile(this.columnsPath(runId), 'utf8');
    return JSON.parse(text) as EngineColumn[];
  }

  /** Rows in stored order, streamed (bounded memory whatever the result size). */
  async *rows(runId: string): AsyncGenerator<Cell[]> {
    const stream = fs.createReadStream(this.rowsPath(runId)).pipe(zlib.createGunzip());
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line) yield JSON.parse(line) as Cell[];
    }
  }

  private connection(): Promise<DuckDBConnection> {
    this.db ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '512MB' });
      return instance.connect();
    })();
    return this.db;
  }

  /** One page, optionally sorted by one column (typed comparison; NULLs last). */
  async page(runId: string, request: PageRequest): Promise<ResultPage> {
    const columns = await this.columns(runId);
    const file = this.rowsPath(runId);
    const conn = await this.connection();
    const source = `read_json('${file.replaceAll("'", "''")}', format='newline_delimited', records=false, columns={'r': 'JSON'})`;
    let order = 'rn';
    if (request.sort) {
      const index = columns.findIndex((c) => c.name === request.sort!.column);
      if (index < 0) throw new Error(`unknown column ${request.sort.column}`);
      const col = columns[index]!;
      const cast = sortCast(col.type);
      const dir = request.sort.direction === 'desc' ? 'DESC' : 'ASC';
      order = `TRY_CAST(r->>'$[${index}]' AS ${cast}) ${dir} NULLS LAST, rn`;
    }
    const limit = Math.max(1, Math.min(1000, Math.floor(request.limit)));
    const offset = Math.max(0, Math.floor(request.offset));
    const reader = await conn.runAndReadAll(
      `WITH t AS (SELECT r, row_number() OVER () AS rn FROM ${source})
       SELECT CAST(r AS VARCHAR) AS r, count(*) OVER () AS total FROM t ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
    );
    const rows = reader.getRowObjects();
    const total = rows.length > 0 ? Number(rows[0]!.total) : await this.count(runId);
    return { columns, rows: rows.map((r) => JSON.parse(String(r.r)) as Cell[]), total };
  }

  /** Rows in one result and not the other, as multisets (a row twice in A and once in B is added once). */
  async diff(before: string, after: string, sampleSize = 200): Promise<ResultDiff> {
    const conn = await this.connection();
    const source = (id: string) =>
      `(SELECT CAST(r AS VARCHAR) AS r FROM read_json('${this.rowsPath(id).replaceAll("'", "''")}', format='newline_delimited', records=false, columns={'r': 'JSON'}))`;
    const side = async (a: string, b: string) => {
      const reader = await conn.runAndReadAll(
        `WITH d AS (SELECT r FROM ${source(a)} EXCEPT ALL SELECT r FROM ${source(b)})
         SELECT r, count(*) OVER () AS total FROM d ORDER BY r LIMIT ${Math.max(1, Math.floor(sampleSize))}`,
      );
      const rows = reader.getRowObjects();
      return { total: rows.length ? Number(rows[0]!.total) : 0, sample: rows.map((x) => JSON.parse(String(x.r)) as Cell[]) };
    };
    const added = await side(after, before);
    const removed = await side(before, after);
    return { added: added.total, removed: removed.total, addedSample: added.sample, removedSample: removed.sample };
  }

  private async count(runId: string): Promise<number> {
    let n = 0;
    for await (const _ of this.rows(runId)) n++;
    return n;
  }

  async remove(runId: string): Promise<void> {
    await fs.promises.rm(this.rowsPath(runId), { force: true });
    await fs.promises.rm(this.columnsPath(runId), { force: true });
  }
}

function sortCast(type: EngineColumn['type']): string {
  switch (type) {
    case 'bigint':
    case 'integer':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'VARCHAR';
  }
}

function assertId(runId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(runId)) throw new Error('invalid run id');
  return runId;
}
