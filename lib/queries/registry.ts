// Loads queries/*.sql: one saved query per file, id = file name, metadata in a leading
// /*--- YAML ---*/ block, body in Trino SQL with :named parameters.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Role } from '@/lib/db/schema/users';
import { isLogTable } from '@/lib/lake/tables';
import { QueryHeader, type SavedQuery } from './definition';
import { derivedNames } from './params';
import { toPositional } from './placeholders';
import { env } from '@/lib/config/env';

export const QUERIES_DIR = path.join(process.cwd(), 'queries');

/**
 * `{{> name}}` in a query body is replaced by queries/fragments/name.sql: shared CTEs (e.g. what
 * counts as one access) written once. The expanded text is what is hashed and sent to the engine.
 */
function expandFragments(body: string, dir: string, file: string, depth = 0): string {
  return body.replace(/\{\{>\s*([a-z0-9-]+)\s*\}\}/g, (_, name: string) => {
    if (depth > 3) throw new QueryFileError(`${file}: fragments nest too deeply`);
    const local = path.join(/*turbopackIgnore: true*/ dir, 'fragments', `${name}.sql`);
    const fragment = fs.existsSync(local) ? local : path.join(QUERIES_DIR, 'fragments', `${name}.sql`);
    if (!fs.existsSync(fragment)) throw new QueryFileError(`${file}: unknown fragment ${name}`);
    return expandFragments(fs.readFileSync(fragment, 'utf8').trim(), dir, file, depth + 1);
  });
}

const HEADER = /^\s*\/\*---\n([\s\S]*?)\n---\*\/\n/;

export class QueryFileError extends Error {
  override name = 'QueryFileError';
}

export function parseSavedQuery(text: string, file: string, dir = QUERIES_DIR): SavedQuery {
  const m = HEADER.exec(text);
  if (!m) throw new QueryFileError(`${file}: missing the /*--- … ---*/ metadata header`);
  let yaml: unknown;
  try {
    yaml = YAML.parse(m[1]!);
  } catch (error) {
    throw new QueryFileError(`${file}: the header is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = QueryHeader.safeParse(yaml);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new QueryFileError(`${file}: header ${issue.path.join('.')}: ${issue.message}`);
  }
  const header = parsed.data;
  const expectedId = path.basename(file, '.sql');
  if (header.id !== expectedId) throw new QueryFileError(`${file}: id must be ${expectedId}`);
  const body = expandFragments(text.slice(m[0].length).trim(), dir, file);
  const { sql, names } = toPositional(body);
  const known = new Set(header.params.flatMap((p) => derivedNames(p)));
  for (const name of names) {
    if (!known.has(name)) throw new QueryFileError(`${file}: :${name} is not a declared parameter`);
  }
  const paramNames = new Set(header.params.map((p) => p.name));
  if (header.range) {
    for (const end of [header.range.from, header.range.to]) {
      const p = header.params.find((q) => q.name === end);
      if (!p || p.type !== 'date') throw new QueryFileError(`${file}: range.${end} must be a date parameter`);
    }
  }
  if (header.tables.some(isLogTable) && !header.range) {
    throw new QueryFileError(`${file}: reads a log table, so it must declare its date range`);
  }
  if (paramNames.size !== header.params.length) throw new QueryFileError(`${file}: duplicate parameter`);
  return {
    ...header,
    body,
    sql,
    bindOrder: names,
    sqlSha256: createHash('sha256').update(sql, 'utf8').digest('hex'),
    file,
  };
}

let cache: { extra: string | undefined; map: Map<string, SavedQuery> } | undefined;

function loadDir(dir: string, map: Map<string, SavedQuery>): void {
  // Saved queries are read at run time from the project's queries/ folder, not bundled.
  for (const name of fs.readdirSync(/*turbopackIgnore: true*/ dir).filter((f) => f.endsWith('.sql')).sort()) {
    const file = path.join(/*turbopackIgnore: true*/ dir, name);
    const query = parseSavedQuery(fs.readFileSync(file, 'utf8'), path.relative(process.cwd(), file), dir);
    if (map.has(query.id)) throw new QueryFileError(`${file}: a saved query with id ${query.id} already exists`);
    map.set(query.id, query);
  }
}

/** The built-in library, plus a site's own saved queries from CUSTOS_EXTRA_QUERIES_DIR. */
export function loadRegistry(dir = QUERIES_DIR): Map<string, SavedQuery> {
  const extra = dir === QUERIES_DIR ? env().CUSTOS_EXTRA_QUERIES_DIR : undefined;
  if (dir === QUERIES_DIR && cache && cache.extra === extra) return cache.map;
  const map = new Map<string, SavedQuery>();
  loadDir(dir, map);
  if (extra) loadDir(path.resolve(/*turbopackIgnore: true*/ extra), map);
  if (dir === QUERIES_DIR) cache = { extra, map };
  return map;
}

export function listQueries(): SavedQuery[] {
  return [...loadRegistry().values()];
}

export function findQuery(id: string): SavedQuery | undefined {
  return loadRegistry().get(id);
}

export function queriesForRole(role: Role): SavedQuery[] {
  return listQueries().filter((q) => q.roles.includes(role));
}
