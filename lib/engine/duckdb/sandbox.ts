import 'server-only';
import path from 'node:path';
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { EngineError } from '@/lib/engine/port';
import { sqlString } from '@/lib/lake/read-sql';

// Saved SQL is code from files, so DuckDB runs it sandboxed: files only under the lake (raw
// objects, the compacted layer and the staged rows all live there), no extension installed or
// loaded beyond the built-in json, parquet and icu, and a configuration locked before it runs.

/** Settings fixed when the instance is created. */
export const SANDBOX_OPTIONS: Record<string, string> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
  allow_persistent_secrets: 'false',
};

/**
 * Closes the sandbox on the instance of `conn`: from here on DuckDB reaches only files under
 * `readable` and its own temp_directory (which DuckDB adds to allowed_directories itself, for
 * spilling), and no statement may change a setting.
 */
export async function lockDown(conn: DuckDBConnection, readable: string[]): Promise<void> {
  const dirs = readable.map((dir) => sqlString(path.join(path.resolve(dir), path.sep)));
  // allowed_directories cannot be changed once external access is off
  await conn.run(`SET allowed_directories = [${dirs.join(', ')}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
}

/** Prepares `sql` only when it is exactly one SELECT statement (the registry checks this too, in Trino's grammar). */
export async function prepareSelect(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const statements = await conn.extractStatements(sql);
  if (statements.count !== 1) throw new EngineError(`Only one SELECT statement may run; the text holds ${statements.count}.`, 'failed');
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    throw new EngineError(`Only a SELECT statement may run, not ${StatementType[prepared.statementType] ?? 'this one'}.`, 'failed');
  }
  return prepared;
}
