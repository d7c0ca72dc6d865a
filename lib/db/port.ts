// The database port: one drizzle query API over PGlite (embedded) and PostgreSQL (production).
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** How the connection is described to an administrator (no credentials). */
  description: string;
  close(): Promise<void>;
};
