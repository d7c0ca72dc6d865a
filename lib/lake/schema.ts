// The lake's table definitions are the committed Athena DDL files in ./ddl; this module parses
// them so the DuckDB views, the JSON normalizer and the compacted Parquet all use the same
// column lists and types.
import fs from 'node:fs';
import path from 'node:path';
import type { LakeTable } from './tables';

export type HiveType =
  | { kind: 'primitive'; name: 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'timestamp' | 'date' }
  | { kind: 'struct'; fields: HiveField[] }
  | { kind: 'array'; element: HiveType }
  | { kind: 'map'; key: HiveType; value: HiveType };

export type HiveField = { name: string; type: HiveType };

export type TableDefinition = {
  name: string;
  columns: HiveField[];
  partitions: HiveField[];
  properties: Record<string, string>;
  serdeProperties: Record<string, string>;
  /** The DDL text with `{{…}}` placeholders. */
  ddl: string;
};


export const DDL_DIR = path.join(process.cwd(), 'lib', 'lake', 'ddl');

class TypeReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  private skipSpace() {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private word(): string {
    this.skipSpace();
    const m = /^`?([A-Za-z_][A-Za-z0-9_]*)`?/.exec(this.text.slice(this.pos));
    if (!m) throw new Error(`expected a name at ${this.pos}: ${this.text.slice(this.pos, this.pos + 30)}`);
    this.pos += m[0].length;
    return m[1]!;
  }

  private expect(ch: string) {
    this.skipSpace();
    if (this.text[this.pos] !== ch) {
      throw new Error(`expected '${ch}' at ${this.pos}: ${this.text.slice(this.pos, this.pos + 30)}`);
    }
    this.pos++;
  }

  private peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  type(): HiveType {
    const name = this.word().toLowerCase();
    switch (name) {
      case 'string':
      case 'varchar':
        return { kind: 'primitive', name: 'string' };
      case 'bigint':
      case 'int':
      case 'double':
      case 'boolean':
      case 'timestamp':
      case 'date':
        return { kind: 'primitive', name };
      case 'integer':
        return { kind: 'primitive', name: 'int' };
      case 'array': {
        this.expect('<');
        const element = this.type();
        this.expect('>');
        return { kind: 'array', element };
      }
      case 'map': {
        this.expect('<');
        const key = this.type();
        this.expect(',');
        const value = this.type();
        this.expect('>');
        return { kind: 'map', key, value };
      }
      case 'struct': {
        this.expect('<');
        const fields: HiveField[] = [];
        for (;;) {
          const fieldName = this.word().toLowerCase();
          this.expect(':');
          fields.push({ name: fieldName, type: this.type() });
          if (this.peek() === ',') {
            this.pos++;
            continue;
          }
          this.expect('>');
          return { kind: 'struct', fields };
        }
      }
      default:
        throw new Error(`unsupported type ${name}`);
    }
  }

  columnList(): HiveField[] {
    const out: HiveField[] = [];
    this.expect('(');
    for (;;) {
      const name = this.word().toLowerCase();
      out.push({ name, type: this.type() });
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      this.expect(')');
      return out;
    }
  }
}

function stripComments(sql: string): string {
  return sql
    .split('\n')
    .map((line) => (line.trimStart().startsWith('--') ? '' : line))
    .join('\n');
}

function readProperties(sql: string, keyword: string): Record<string, string> {
  const at = sql.search(new RegExp(`${keyword}\\s*\\(`, 'i'));
  if (at < 0) return {};
  const body = sql.slice(sql.indexOf('(', at));
  const props: Record<string, string> = {};
  const re = /'((?:[^'\\]|\\.)*)'\s*=\s*'((?:[^'\\]|\\.)*)'\s*(,|\))/gy;
  re.lastIndex = 1;
  for (;;) {
    while (/\s/.test(body[re.lastIndex] ?? '')) re.lastIndex++;
    const m = re.exec(body);
    if (!m) break;
    props[m[1]!] = m[2]!;
    if (m[3] === ')') break;
  }
  return props;
}

export function parseTableDefinition(ddl: string): TableDefinition {
  const sql = stripComments(ddl);
  const head = /CREATE\s+EXTERNAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?\s*/i.exec(sql);
  if (!head) throw new Error('not a CREATE EXTERNAL TABLE statement');
  const columns = new TypeReader(sql.slice(head.index + head[0].length)).columnList();
  const partAt = sql.search(/PARTITIONED\s+BY\s*\(/i);
  const partitions =
    partAt >= 0 ? new TypeReader(sql.slice(sql.indexOf('(', partAt))).columnList() : [];
  return {
    name: head[1]!.toLowerCase(),
    columns,
    partitions,
    properties: readProperties(sql, 'TBLPROPERTIES'),
    serdeProperties: readProperties(sql, 'SERDEPROPERTIES'),
    ddl,
  };
}

const cache = new Map<string, TableDefinition>();

export function tableDefinition(name: LakeTable): TableDefinition {
  let def = cache.get(name);
  if (!def) {
    def = parseTableDefinition(fs.readFileSync(path.join(DDL_DIR, `${name}.sql`), 'utf8'));
    if (def.name !== name) throw new Error(`${name}.sql defines ${def.name}`);
    cache.set(name, def);
  }
  return def;
}

/** All columns a query sees: the data columns followed by the partition columns. */
export function visibleColumns(def: TableDefinition): HiveField[] {
  return [...def.columns, ...def.partitions];
}

/** DuckDB spelling of a Hive/Athena type. */
export function duckdbType(t: HiveType): string {
  switch (t.kind) {
    case 'primitive':
      return {
        string: 'VARCHAR',
        bigint: 'BIGINT',
        int: 'INTEGER',
        double: 'DOUBLE',
        boolean: 'BOOLEAN',
        timestamp: 'TIMESTAMP',
        date: 'DATE',
      }[t.name];
    case 'array':
      return `${duckdbType(t.element)}[]`;
    case 'map':
      return `MAP(${duckdbType(t.key)}, ${duckdbType(t.value)})`;
    case 'struct':
      return `STRUCT(${t.fields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(', ')})`;
  }
}

/** Fills the `{{NAME}}` placeholders of a DDL; an unknown placeholder is an error. */
export function renderDdl(def: TableDefinition, vars: Record<string, string>): string {
  return def.ddl.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`DDL placeholder {{${key}}} has no value`);
    return value;
  });
}
