// A saved query is read-only by construction: exactly one SELECT (or WITH … SELECT), checked with
// the Trino grammar the library is written in, so no file can write, attach, load or reconfigure.
import pkg from 'node-sql-parser/build/trino';

type Statement = { type?: string; into?: { position?: string | null } | null } | null;
type TrinoParser = { astify(sql: string, options: { database: string }): Statement | Statement[] };
type ParseFailure = Error & { location?: { start?: { line: number; column: number } } };

// The package is CommonJS whose exports its types describe as named ones.
const { Parser } = pkg as unknown as { Parser: new () => TrinoParser };

/** The first keyword, past comments and opening parentheses. */
const LEADING_KEYWORD = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*([A-Za-z_]+)/;

/** Why `sql` (with `?` placeholders) is not exactly one SELECT statement; null when it is. */
export function selectOnlyProblem(sql: string): string | null {
  let parsed: Statement | Statement[];
  try {
    parsed = new Parser().astify(sql, { database: 'trino' });
  } catch (error) {
    const keyword = LEADING_KEYWORD.exec(sql)?.[1]?.toUpperCase();
    if (keyword && keyword !== 'SELECT' && keyword !== 'WITH') return `must be one SELECT (or WITH … SELECT) statement, not ${keyword}`;
    const at = (error as ParseFailure).location?.start;
    const where = at ? ` at line ${at.line}, column ${at.column} of the expanded body` : '';
    return `is not one SELECT statement in Trino SQL${where}: ${(error as Error).message.slice(0, 200)}`;
  }
  const statements = (Array.isArray(parsed) ? parsed : [parsed]).filter((s) => s !== null);
  if (statements.length !== 1) return `must be one statement, but holds ${statements.length} separated by ';'`;
  const [statement] = statements;
  const type = statement?.type ?? 'unknown';
  if (type !== 'select') return `must be one SELECT (or WITH … SELECT) statement, not ${type.toUpperCase()}`;
  if (statement?.into?.position) return 'must not write its result anywhere (SELECT … INTO)';
  return null;
}
