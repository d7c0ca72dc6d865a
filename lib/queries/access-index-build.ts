// The statements that build the access index (lib/lake/ddl/access_index_insert.sql), bound for a
// window of days. The index rows come from the same fragment the saved queries use for the days
// the index does not hold, so a day answers alike from either.
import fs from 'node:fs';
import path from 'node:path';
import type { AccessIndexBuild, BoundStatement } from '@/lib/engine/port';
import type { ScanScope } from '@/lib/lake/tables';
import { windowBinds } from './params';
import { toPositional } from './placeholders';
import { expandFragments, QUERIES_DIR } from './registry';

const FILE = path.join(process.cwd(), 'lib', 'lake', 'ddl', 'access_index_insert.sql');
const INSERT = /^\s*INSERT INTO access_index\s*\n/m;

let text: { insert: string; select: string; names: string[] } | undefined;

function statement(): { insert: string; select: string; names: string[] } {
  if (!text) {
    const body = fs
      .readFileSync(/*turbopackIgnore: true*/ FILE, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('--'))
      .join('\n');
    const { sql, names } = toPositional(expandFragments(body, QUERIES_DIR, FILE).trim());
    if (!INSERT.test(sql)) throw new Error(`${FILE} must start with INSERT INTO access_index`);
    text = { insert: sql, select: sql.replace(INSERT, ''), names };
  }
  return text;
}

export const accessIndexBuild: AccessIndexBuild = {
  select: (days: ScanScope): BoundStatement => ({ sql: statement().select, binds: windowBinds(statement().names, days) }),
  insert: (days: ScanScope): BoundStatement => ({ sql: statement().insert, binds: windowBinds(statement().names, days) }),
};
