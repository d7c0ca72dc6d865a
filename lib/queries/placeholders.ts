// Saved SQL names its values (`:patient`, `:time_from`); engines take positional `?`. This turns
// one into the other, skipping string literals, quoted identifiers and comments.

export type PositionalSql = { sql: string; names: string[] };

export function toPositional(text: string): PositionalSql {
  const names: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "'" || ch === '"') {
      const end = closingQuote(text, i, ch);
      out += text.slice(i, end);
      i = end;
    } else if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated block comment');
      out += text.slice(i, end + 2);
      i = end + 2;
    } else if (ch === '?') {
      throw new Error('saved SQL must name its parameters (:name), not use ?');
    } else if (ch === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (ch === ':' && next !== undefined && /[a-z_]/.test(next)) {
      const m = /^[a-z_][a-z0-9_]*/.exec(text.slice(i + 1))!;
      names.push(m[0]);
      out += '?';
      i += 1 + m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return { sql: out, names };
}

function closingQuote(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw new Error(`unterminated ${quote === "'" ? 'string literal' : 'quoted identifier'}`);
}
