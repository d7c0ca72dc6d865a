// Athena pastes each ExecutionParameters element into the statement as SQL text, so every bound
// value becomes exactly one typed Trino literal here, or is refused. Nothing else builds literals.
import type { BindValue } from '@/lib/engine/port';

/** Athena's limit for one ExecutionParameters element (1–1024 characters). */
export const MAX_PARAMETER_LENGTH = 1024;

export class LiteralError extends Error {
  constructor(
    message: string,
    /** Position of the bind among the statement's `?` placeholders (0-based), when known. */
    readonly position?: number,
  ) {
    super(message);
    this.name = 'LiteralError';
  }
}

// Tab, LF and CR are ordinary text inside a quoted literal. Other C0/C1 controls and NUL have no
// place in an audit parameter; bidi embedding/override/isolate controls are refused because they
// make the SQL read differently from how it parses (CVE-2021-42574, "Trojan Source").
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function codePointLabel(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m || m[1] === '0000') return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  d.setUTCFullYear(Number(m[1]));
  return d.toISOString().slice(0, 10) === text;
}

function varcharLiteral(value: string): string {
  const bad = FORBIDDEN_CHAR.exec(value);
  if (bad) throw new LiteralError(`text contains the control character ${codePointLabel(bad[0])}, which is not allowed`);
  if (LONE_SURROGATE.test(value)) throw new LiteralError('text contains an unpaired UTF-16 surrogate (not valid Unicode)');
  // Trino string literals have no backslash escapes: a quote is escaped only by doubling it.
  return `'${value.replaceAll("'", "''")}'`;
}

function dateLiteral(value: string): string {
  if (!isCalendarDate(value)) throw new LiteralError(`"${value}" is not a calendar date in the form YYYY-MM-DD`);
  return `DATE '${value}'`;
}

function timestampLiteral(value: string): string {
  const m = TIMESTAMP.exec(value);
  const valid =
    m !== null && isCalendarDate(m[1]!) && Number(m[2]) <= 23 && Number(m[3]) <= 59 && Number(m[4]) <= 59;
  if (!valid) throw new LiteralError(`"${value}" is not a UTC timestamp in the form YYYY-MM-DDTHH:MM:SSZ`);
  return `from_iso8601_timestamp('${value}')`;
}

function integerLiteral(value: number, type: 'bigint' | 'integer'): string {
  if (!Number.isSafeInteger(value)) throw new LiteralError(`${value} is not a whole number within ±(2^53 − 1)`);
  if (type === 'integer' && (value < INT32_MIN || value > INT32_MAX)) {
    throw new LiteralError(`${value} is outside the range of an integer (32-bit)`);
  }
  return String(value === 0 ? 0 : value);
}

/** Scientific notation makes Trino read a DOUBLE (a plain `1.5` would be a DECIMAL). */
function doubleLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new LiteralError(`${value} is not a finite number`);
  return (value === 0 ? 0 : value).toExponential().replace('e+', 'E').replace('e-', 'E-');
}

/** The Trino literal for one bound value, e.g. `'O''Brien'`, `DATE '2025-03-04'`, `42`. */
export function encodeLiteral(bind: BindValue): string {
  let literal: string;
  switch (bind.type) {
    case 'varchar':
      literal = varcharLiteral(bind.value);
      break;
    case 'date':
      literal = dateLiteral(bind.value);
      break;
    case 'timestamp':
      literal = timestampLiteral(bind.value);
      break;
    case 'bigint':
    case 'integer':
      literal = integerLiteral(bind.value, bind.type);
      break;
    case 'double':
      literal = doubleLiteral(bind.value);
      break;
    case 'boolean':
      literal = bind.value ? 'true' : 'false';
      break;
  }
  if (literal.length > MAX_PARAMETER_LENGTH) {
    throw new LiteralError(
      `the value is too long for Athena: as SQL text it is ${literal.length} characters and each parameter may be at most ${MAX_PARAMETER_LENGTH}`,
    );
  }
  return literal;
}

/** ExecutionParameters for a statement, in placeholder order; undefined when there are no binds. */
export function encodeExecutionParameters(binds: readonly BindValue[]): string[] | undefined {
  if (binds.length === 0) return undefined;
  return binds.map((bind, position) => {
    try {
      return encodeLiteral(bind);
    } catch (error) {
      if (error instanceof LiteralError) {
        throw new LiteralError(`Parameter ${position + 1}: ${error.message}`, position);
      }
      throw error;
    }
  });
}
