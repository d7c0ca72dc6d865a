import { Parser } from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import type { BindValue } from '@/lib/engine/port';
import {
  LiteralError,
  MAX_PARAMETER_LENGTH,
  encodeExecutionParameters,
  encodeLiteral,
} from '@/lib/engine/athena/literal';

const parser = new Parser();

type Node = { type: string; value?: unknown; [key: string]: unknown };

function selectExpr(sqlExpr: string): Node[] {
  const ast = parser.astify(`SELECT ${sqlExpr}`, { database: 'trino' });
  const select = (Array.isArray(ast) ? ast[0] : ast) as unknown as { columns: { expr: Node }[] };
  return select.columns.map((c) => c.expr);
}

/**
 * Trino's grammar for a string literal: `'` ( any character but `'` | `''` )* `'`. Returns the
 * value, or null when the text is not exactly one such literal.
 */
function trinoStringValue(text: string): string | null {
  if (text.length < 2 || !text.startsWith("'") || !text.endsWith("'")) return null;
  let value = '';
  let i = 1;
  while (i < text.length - 1) {
    if (text[i] === "'") {
      if (text[i + 1] !== "'" || i + 1 === text.length - 1) return null;
      value += "'";
      i += 2;
    } else {
      value += text[i];
      i++;
    }
  }
  return i === text.length - 1 ? value : null;
}

const hostile: [string, string][] = [
  ['empty string', ''],
  ['plain', 'arn:aws:sts::123456789012:assumed-role/Radiologist/jdoe'],
  ['single quote', "O'Brien"],
  ['only quotes', "''''"],
  ['doubled quotes', "a''b"],
  ['quote at both ends', "'x'"],
  ['tautology', "' OR 1=1 --"],
  ['stacked statement', "'); DROP TABLE x; --"],
  ['union', "x' UNION SELECT * FROM study_catalog --"],
  ['line comment', '-- not a comment'],
  ['block comment', '/* not a comment */'],
  ['unterminated block comment', '/* open'],
  ['semicolon', 'a; b'],
  ['placeholder', '?'],
  ['placeholders around quote', "?' ?"],
  ['double-quoted identifier', '"timestamp"'],
  ['newline injection', "x'\nOR 1=1 --\n"],
  ['carriage return and tab', 'a\r\n\tb'],
  ['percent and underscore', '100%_match'],
  ['RTL text', 'שלום עולם مرحبا'],
  ['astral characters', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 𠜎'],
  ['combining marks', 'e\u0301 n\u0303 Z\u0351\u0352\u0353'],
  ['zero-width joiner emoji', '👩‍⚕️'],
  ['non-breaking and line separator', 'a\u00A0b\u2028c'],
  ['unicode quote look-alikes', '‘’ʼ＇'],
  ['dollar quoting', '$$ x $$'],
  ['unicode escape prefix', "U&'\\0041'"],
  ['backslash', 'C:\\Windows\\'],
  ['backslash before quote', "x\\' OR 1=1 --"],
  ['backslash escape sequences', '\\n\\t\\0\\x27'],
  ['1022 characters (literal of exactly 1024)', 'a'.repeat(MAX_PARAMETER_LENGTH - 2)],
];

describe('encodeLiteral: varchar', () => {
  it.each(hostile)('%s becomes exactly one Trino string literal with the same value', (_, value) => {
    const literal = encodeLiteral({ type: 'varchar', value });
    expect(trinoStringValue(literal)).toBe(value);
    expect(literal.length).toBeLessThanOrEqual(MAX_PARAMETER_LENGTH);
  });

  // node-sql-parser applies MySQL-style backslash escapes inside strings, which Trino does not,
  // so it is an independent oracle only for values without a backslash.
  it.each(hostile.filter(([, v]) => !v.includes('\\')))('%s parses as one literal in SQL context', (_, value) => {
    const literal = encodeLiteral({ type: 'varchar', value });
    const [only, ...rest] = selectExpr(literal);
    expect(rest).toHaveLength(0);
    expect(only?.type).toBe('single_quote_string');
    expect(String(only?.value).replaceAll("''", "'")).toBe(value);
  });

  it('keeps a hostile value inside its comparison when pasted into a statement', () => {
    const first = encodeLiteral({ type: 'varchar', value: "' OR 1=1 --" });
    const second = encodeLiteral({ type: 'varchar', value: "'); DROP TABLE x; --" });
    const sql = `SELECT eventname FROM cloudtrail_logs WHERE useridentity.arn = ${first} AND "timestamp" >= ${second}`;
    const ast = parser.astify(sql, { database: 'trino' });
    expect(Array.isArray(ast) ? ast.length : 1).toBe(1);
    const where = (Array.isArray(ast) ? ast[0] : ast) as unknown as { where: Node };
    expect(where.where).toMatchObject({
      type: 'binary_expr',
      operator: 'AND',
      left: { operator: '=', right: { type: 'single_quote_string', value: "'' OR 1=1 --" } },
      right: { operator: '>=', right: { type: 'single_quote_string', value: "''); DROP TABLE x; --" } },
    });
  });

  it.each([
    ['NUL', 'a\u0000b', 'U+0000'],
    ['bell', '\u0007', 'U+0007'],
    ['escape', '\u001b[31m', 'U+001B'],
    ['vertical tab', 'a\u000Bb', 'U+000B'],
    ['DEL', 'a\u007Fb', 'U+007F'],
    ['C1 next line', 'a\u0085b', 'U+0085'],
    ['right-to-left override', 'abc\u202Efed', 'U+202E'],
    ['left-to-right isolate', '\u2066x', 'U+2066'],
  ])('refuses %s with a message naming the character', (_, value, label) => {
    expect(() => encodeLiteral({ type: 'varchar', value })).toThrow(new RegExp(`control character ${label.replace('+', '\\+')}`));
  });

  it('refuses an unpaired surrogate, which would reach Athena as U+FFFD', () => {
    expect(() => encodeLiteral({ type: 'varchar', value: 'a\uD83Db' })).toThrow(/unpaired UTF-16 surrogate/);
    expect(() => encodeLiteral({ type: 'varchar', value: '\uDE00' })).toThrow(LiteralError);
  });

  it('refuses a value whose literal exceeds 1024 characters instead of truncating it', () => {
    expect(() => encodeLiteral({ type: 'varchar', value: 'a'.repeat(MAX_PARAMETER_LENGTH - 1) })).toThrow(
      /1025 characters and each parameter may be at most 1024/,
    );
    // 600 quotes double to 1200 characters.
    expect(() => encodeLiteral({ type: 'varchar', value: "'".repeat(600) })).toThrow(/1202 characters/);
    // Astral characters count as two UTF-16 units, as Athena's limit does.
    expect(() => encodeLiteral({ type: 'varchar', value: '😀'.repeat(512) })).toThrow(/1026 characters/);
  });
});

describe('encodeLiteral: other types', () => {
  it.each<[BindValue, string]>([
    [{ type: 'date', value: '2025-03-04' }, "DATE '2025-03-04'"],
    [{ type: 'date', value: '2024-02-29' }, "DATE '2024-02-29'"],
    [{ type: 'timestamp', value: '2025-03-04T15:22:09Z' }, "from_iso8601_timestamp('2025-03-04T15:22:09Z')"],
    [{ type: 'timestamp', value: '2025-03-04T15:22:09.123Z' }, "from_iso8601_timestamp('2025-03-04T15:22:09.123Z')"],
    [{ type: 'bigint', value: 0 }, '0'],
    [{ type: 'bigint', value: -0 }, '0'],
    [{ type: 'bigint', value: -42 }, '-42'],
    [{ type: 'bigint', value: Number.MAX_SAFE_INTEGER }, '9007199254740991'],
    [{ type: 'integer', value: 2147483647 }, '2147483647'],
    [{ type: 'double', value: 1.5 }, '1.5E0'],
    [{ type: 'double', value: 0.1 }, '1E-1'],
    [{ type: 'double', value: -2.5e-7 }, '-2.5E-7'],
    [{ type: 'double', value: 1e21 }, '1E21'],
    [{ type: 'double', value: 0 }, '0E0'],
    [{ type: 'boolean', value: true }, 'true'],
    [{ type: 'boolean', value: false }, 'false'],
  ])('%o → %s', (bind, expected) => {
    expect(encodeLiteral(bind)).toBe(expected);
  });

  it('writes literals the Trino parser reads back as the same typed value', () => {
    const [date, ts, int, neg, dbl, bool] = selectExpr(
      [
        encodeLiteral({ type: 'date', value: '2025-03-04' }),
        encodeLiteral({ type: 'timestamp', value: '2025-03-04T15:22:09Z' }),
        encodeLiteral({ type: 'bigint', value: 42 }),
        encodeLiteral({ type: 'bigint', value: -42 }),
        encodeLiteral({ type: 'double', value: 0.1 }),
        encodeLiteral({ type: 'boolean', value: false }),
      ].join(', '),
    );
    expect(date).toMatchObject({ type: 'date', value: '2025-03-04' });
    expect(ts).toMatchObject({
      type: 'function',
      args: { value: [{ type: 'single_quote_string', value: '2025-03-04T15:22:09Z' }] },
    });
    expect(int).toMatchObject({ type: 'number', value: 42 });
    expect(neg).toMatchObject({ type: 'number', value: -42 });
    expect(Number(dbl?.value)).toBe(0.1);
    expect(bool).toMatchObject({ type: 'bool', value: false });
  });

  it.each([
    0.1, 1 / 3, Math.PI, -1e-300, 5e-324, Number.MAX_VALUE, 123456789.123,
  ])('double %d round-trips exactly', (value) => {
    expect(Number(encodeLiteral({ type: 'double', value }))).toBe(value);
  });

  it.each<[BindValue, RegExp]>([
    [{ type: 'date', value: '2025-02-29' }, /not a calendar date/],
    [{ type: 'date', value: '2025-13-01' }, /not a calendar date/],
    [{ type: 'date', value: '0000-01-01' }, /not a calendar date/],
    [{ type: 'date', value: "2025-03-04' OR '1'='1" }, /not a calendar date/],
    [{ type: 'date', value: '2025-3-4' }, /not a calendar date/],
    [{ type: 'timestamp', value: '2025-03-04 15:22:09' }, /not a UTC timestamp/],
    [{ type: 'timestamp', value: '2025-03-04T15:22:09+01:00' }, /not a UTC timestamp/],
    [{ type: 'timestamp', value: '2025-03-04T24:00:00Z' }, /not a UTC timestamp/],
    [{ type: 'timestamp', value: '2025-03-04T23:60:00Z' }, /not a UTC timestamp/],
    [{ type: 'timestamp', value: '2025-02-30T00:00:00Z' }, /not a UTC timestamp/],
    [{ type: 'timestamp', value: "2025-03-04T00:00:00Z') OR (1=1" }, /not a UTC timestamp/],
    [{ type: 'bigint', value: 1.5 }, /not a whole number/],
    [{ type: 'bigint', value: 2 ** 53 }, /not a whole number/],
    [{ type: 'bigint', value: Number.NaN }, /not a whole number/],
    [{ type: 'integer', value: 2 ** 31 }, /outside the range of an integer/],
    [{ type: 'double', value: Number.POSITIVE_INFINITY }, /not a finite number/],
    [{ type: 'double', value: Number.NaN }, /not a finite number/],
  ])('refuses %o', (bind, message) => {
    expect(() => encodeLiteral(bind)).toThrow(message);
  });
});

describe('encodeExecutionParameters', () => {
  it('is undefined without binds, because Athena rejects an empty list', () => {
    expect(encodeExecutionParameters([])).toBeUndefined();
  });

  it('encodes binds in placeholder order', () => {
    expect(
      encodeExecutionParameters([
        { type: 'varchar', value: "O'Brien" },
        { type: 'date', value: '2025-03-01' },
        { type: 'bigint', value: 7 },
      ]),
    ).toEqual(["'O''Brien'", "DATE '2025-03-01'", '7']);
  });

  it('names the position of the refused bind', () => {
    const run = () =>
      encodeExecutionParameters([
        { type: 'varchar', value: 'ok' },
        { type: 'varchar', value: 'bad\u0000' },
      ]);
    expect(run).toThrow(/^Parameter 2: text contains the control character U\+0000/);
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(LiteralError);
      expect((error as LiteralError).position).toBe(1);
    }
  });
});
