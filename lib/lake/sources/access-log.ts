// S3 server access log objects (plain text, one request per line) read with the regex of the
// s3_access_logs DDL and Hive RegexSerDe semantics: the whole line must match, groups fill the
// columns in order, unmatched optional groups are NULL, BIGINT groups that do not parse are NULL.
import fs from 'node:fs';
import { tableDefinition, type HiveField } from '../schema';
import { lineBatches } from './line-batches';
import type { Row, SourceBatch, SourceInput } from './types';


/** Undoes the escaping of a Hive SQL string literal (`\\` → `\`, `\"` → `"`, `\'` → `'`). */
export function unescapeHiveString(text: string): string {
  return text.replace(/\\([\\"'])/g, '$1');
}

let compiled: { regex: RegExp; columns: HiveField[] } | null = null;

function pattern() {
  if (!compiled) {
    const def = tableDefinition('s3_access_logs');
    const source = def.serdeProperties['input.regex'];
    if (!source) throw new Error('s3_access_logs DDL has no input.regex');
    // RegexSerDe compiles with DOTALL and requires a match of the whole line (Matcher.matches()).
    const regex = new RegExp(`^(?:${unescapeHiveString(source)})$`, 's');
    const groups = new RegExp(`${regex.source}|`).exec('')!.length - 1;
    if (groups !== def.columns.length) {
      throw new Error(`input.regex has ${groups} groups for ${def.columns.length} columns`);
    }
    compiled = { regex, columns: def.columns };
  }
  return compiled;
}

/** The effective regular expression of the DDL (after Hive unescaping). */
export function accessLogRegex(): RegExp {
  return pattern().regex;
}

function toBigint(text: string): number | string | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = BigInt(text);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
}

/** One log line as an s3_access_logs row (data columns only), or null when it does not match. */
export function parseAccessLogLine(line: string): Row | null {
  const { regex, columns } = pattern();
  const m = regex.exec(line);
  if (!m) return null;
  const row: Row = {};
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const value = m[i + 1];
    if (value === undefined) row[column.name] = null;
    else if (column.type.kind === 'primitive' && column.type.name === 'bigint') row[column.name] = toBigint(value);
    else row[column.name] = value;
  }
  return row;
}

export function readAccessLog(input: SourceInput): AsyncGenerator<SourceBatch> {
  const stream = fs.createReadStream(input.absPath, { encoding: 'utf8' });
  const pendingEmpty: number[] = [];
  return lineBatches(
    input,
    stream,
    (raw, lineNo) => {
      // A CR left by CRLF is stripped as Hadoop's LineReader does; empty lines count only when
      // something follows them, so a file's trailing blank lines are not reported.
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') {
        pendingEmpty.push(lineNo);
        return {};
      }
      const rejected = pendingEmpty.splice(0).map((n) => ({ file: input.file, line: n, reason: 'empty line' }));
      const row = parseAccessLogLine(line);
      if (!row) rejected.push({ file: input.file, line: lineNo, reason: 'line does not match the access-log format' });
      return row ? { row, rejected } : { rejected };
    },
    () => stream.destroy(),
  );
}
