// Loads queries/*.sql: one saved query per file, id = file name, metadata in a leading
// /*--- YAML ---*/ block, body in Trino SQL with :named parameters.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Role } from '@/lib/db/schema/users';
import { isLogTable } from '@/lib/lake/tables';
import { humanise } from './columns';
import { QueryHeader, type QueryHeader as Header, type SavedQuery } from './definition';
import { assertOwnerOnly, phiRolesNamed, type ExtraQueries } from './extra-queries';
import { derivedNames, isPhiParam } from './params';
import { toPositional } from './placeholders';
import { selectOnlyProblem } from './statement';
import { env } from '@/lib/config/env';

export type { ExtraQueries } from './extra-queries';

export const QUERIES_DIR = path.join(process.cwd(), 'queries');

/**
 * `{{> name}}` in a query body is replaced by queries/fragments/name.sql: shared CTEs (e.g. what
 * counts as one access) written once. The expanded text is what is hashed and sent to the engine.
 */
export function expandFragments(body: string, dir: string, file: string, depth = 0): string {
  return body.replace(/\{\{>\s*([a-z0-9-]+)\s*\}\}/g, (_, name: string) => {
    if (depth > 3) throw new QueryFileError(`${file}: fragments nest too deeply`);
    const local = path.join(/*turbopackIgnore: true*/ dir, 'fragments', `${name}.sql`);
    const fragment = fs.existsSync(local) ? local : path.join(QUERIES_DIR, 'fragments', `${name}.sql`);
    if (!fs.existsSync(fragment)) throw new QueryFileError(`${file}: unknown fragment ${name}`);
    return expandFragments(fs.readFileSync(fragment, 'utf8').trim(), dir, file, depth + 1);
  });
}

const INDEX_TABLE = /\baccess_index\b/;
const LOG_TABLE = /\b(?:cloudtrail_logs|s3_access_logs)\b/g;
let accessRowsLogReads: number | undefined;

/** Whether a statement reads the access index, and whether its only raw log reads are the access-rows fragment's. */
function indexUse(sql: string): Pick<SavedQuery, 'readsAccessIndex' | 'logsOnlyBesideIndex'> {
  const readsAccessIndex = INDEX_TABLE.test(sql);
  accessRowsLogReads ??= fs.readFileSync(path.join(QUERIES_DIR, 'fragments', 'access-rows.sql'), 'utf8').match(LOG_TABLE)?.length ?? 0;
  return { readsAccessIndex, logsOnlyBesideIndex: readsAccessIndex && (sql.match(LOG_TABLE)?.length ?? 0) <= accessRowsLogReads };
}

const HEADER = /^\s*\/\*---\n([\s\S]*?)\n---\*\/\n/;

export class QueryFileError extends Error {
  override name = 'QueryFileError';
}

/** What the header says of its result columns: unique names, labels (when required), priorities and fallbacks that make sense. */
function columnProblem(header: Header, requireLabels: boolean): string | null {
  const names = new Set(header.columns.map((c) => c.name));
  if (names.size !== header.columns.length) return 'duplicate column';
  const priorities = header.columns.flatMap((c) => (c.priority === undefined ? [] : [c.priority]));
  if (new Set(priorities).size !== priorities.length) return 'two columns share a priority';
  for (const c of header.columns) {
    if (requireLabels && !c.label) return `column ${c.name} needs a label (a short, Title case header)`;
    if (c.fallback && (!names.has(c.fallback) || c.fallback === c.name)) return `column ${c.name}: fallback ${c.fallback} is not another column`;
  }
  const d = header.drilldown;
  if (d) {
    // what a drill-down fills in travels in a link: never a patient identifier
    for (const [param, column] of Object.entries(d.columns)) {
      const c = header.columns.find((k) => k.name === column);
      if (!c) return `drilldown.columns.${param}: ${column} is not a column`;
      if (c.kind === 'patient') return `drilldown.columns.${param}: ${column} names a patient and cannot travel in a link`;
    }
    for (const param of d.params) {
      const p = header.params.find((k) => k.name === param);
      if (!p) return `drilldown.params: ${param} is not a parameter`;
      if (isPhiParam(p)) return `drilldown.params: ${param} identifies a patient and cannot travel in a link`;
    }
  }
  return null;
}

export type ParseOptions = {
  /** Built-in queries must label every column; a site's own get humanised names. */
  requireLabels?: boolean;
};

export function parseSavedQuery(text: string, file: string, dir = QUERIES_DIR, options: ParseOptions = {}): SavedQuery {
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
  const problem = selectOnlyProblem(sql);
  if (problem) throw new QueryFileError(`${file}: ${problem}`);
  const known = new Set(header.params.flatMap((p) => derivedNames(p, header.range)));
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
  const columnsProblem = columnProblem(header, options.requireLabels ?? false);
  if (columnsProblem) throw new QueryFileError(`${file}: ${columnsProblem}`);
  return {
    ...header,
    columns: header.columns.map((c) => ({ ...c, label: c.label ?? humanise(c.name) })),
    body,
    sql,
    bindOrder: names,
    sqlSha256: createHash('sha256').update(sql, 'utf8').digest('hex'),
    file,
    ...indexUse(sql),
  };
}

type Loaded = { key: string; map: Map<string, SavedQuery>; extra: ExtraQueries | null };
let cache: Loaded | undefined;

function loadDir(dir: string, map: Map<string, SavedQuery>, check?: (query: SavedQuery) => void, options: ParseOptions = {}): SavedQuery[] {
  const found: SavedQuery[] = [];
  // Saved queries are read at run time from the project's queries/ folder, not bundled.
  for (const name of fs.readdirSync(/*turbopackIgnore: true*/ dir).filter((f) => f.endsWith('.sql')).sort()) {
    const file = path.join(/*turbopackIgnore: true*/ dir, name);
    const query = parseSavedQuery(fs.readFileSync(file, 'utf8'), path.relative(process.cwd(), file), dir, options);
    if (map.has(query.id)) throw new QueryFileError(`${file}: a saved query with id ${query.id} already exists`);
    check?.(query);
    map.set(query.id, query);
    found.push(query);
  }
  return found;
}

function loadExtra(dir: string, allowPhi: boolean, map: Map<string, SavedQuery>): ExtraQueries {
  const queries = loadDir(dir, map, (query) => {
    const phi = phiRolesNamed(query.roles);
    if (phi.length > 0 && !allowPhi) {
      throw new QueryFileError(
        `${query.file}: names the role ${phi.join(', ')}, which reads patient identifiers; a query from CUSTOS_EXTRA_QUERIES_DIR may do so only with CUSTOS_EXTRA_QUERIES_PHI=1`,
      );
    }
  });
  return { dir, queries: queries.map((q) => ({ id: q.id, sqlSha256: q.sqlSha256 })) };
}

function loaded(): Loaded {
  const { CUSTOS_EXTRA_QUERIES_DIR: extraDir, CUSTOS_EXTRA_QUERIES_PHI: allowPhi } = env();
  const key = `${extraDir ?? ''}\n${allowPhi}`;
  if (cache?.key === key) return cache;
  const dir = extraDir ? path.resolve(/*turbopackIgnore: true*/ extraDir) : null;
  if (dir) assertOwnerOnly(dir);
  const map = new Map<string, SavedQuery>();
  loadDir(QUERIES_DIR, map, undefined, { requireLabels: true });
  const extra = dir ? loadExtra(dir, allowPhi, map) : null;
  checkDrilldowns(map);
  cache = { key, map, extra };
  return cache;
}

/** A drill-down names a loaded query, its parameters, and only ones that identify no patient (they travel in a link). */
export function checkDrilldowns(map: Map<string, SavedQuery>): void {
  for (const query of map.values()) {
    const d = query.drilldown;
    if (!d) continue;
    const target = map.get(d.query);
    if (!target) throw new QueryFileError(`${query.file}: drilldown.query ${d.query} is not a saved query`);
    for (const name of [...Object.keys(d.columns), ...d.params]) {
      const p = target.params.find((q) => q.name === name);
      if (!p) throw new QueryFileError(`${query.file}: drilldown: ${name} is not a parameter of ${d.query}`);
      if (isPhiParam(p)) throw new QueryFileError(`${query.file}: drilldown: ${d.query}'s ${name} identifies a patient and cannot travel in a link`);
    }
  }
}

/** The built-in library, plus a site's own saved queries from CUSTOS_EXTRA_QUERIES_DIR. */
export function loadRegistry(dir = QUERIES_DIR): Map<string, SavedQuery> {
  if (dir === QUERIES_DIR) return loaded().map;
  const map = new Map<string, SavedQuery>();
  loadDir(dir, map);
  checkDrilldowns(map);
  return map;
}

/** The site's own saved queries as loaded (folder, and each query's SQL SHA-256); null when none are configured. */
export function extraQueries(): ExtraQueries | null {
  return loaded().extra;
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
