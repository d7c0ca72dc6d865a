// Trino's JSON functions take a JSONPath, which the macros turn into a JSON Pointer at bind time:
// a costly expression per call (tens of milliseconds of planning for a saved query that calls it
// a few times). Where the path is a string literal, the pointer is worked out here once instead,
// and the call goes to the macro's pointer-taking twin; the answer is the same (json-paths.test.ts).

const TOKEN = /\.[\p{L}\p{N}_:]+|\[[\p{L}\p{N}_]+\]|\["(?:[^"\\]|\\["\\])*"\]/gu;

/** The JSON Pointer for a Trino JSONPath, as custos_json_pointer computes it; null for a path that macro refuses. */
export function jsonPointer(path: string): string | null {
  if (!path.startsWith('$')) return null;
  const tokens = path.slice(1).match(TOKEN) ?? [];
  if (`$${tokens.join('')}` !== path) return null;
  return tokens
    .map((t) => {
      const name = t.startsWith('.') ? t.slice(1) : t.startsWith('["') ? t.slice(2, -2).replace(/\\(["\\])/g, '$1') : t.slice(1, -1);
      return `/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    })
    .join('');
}

const CALL = /\b(json_extract_scalar|json_extract)\(\s*([A-Za-z_][A-Za-z0-9_."]*)\s*,\s*'((?:[^']|'')*)'\s*\)/g;
const TWIN: Record<string, string> = { json_extract_scalar: 'custos_json_scalar_at', json_extract: 'custos_json_at' };

/** `sql` with every JSON call whose path is a valid literal calling the pointer-taking twin instead. */
export function inlineJsonPaths(sql: string): string {
  return sql.replace(CALL, (call: string, fn: string, arg: string, literal: string) => {
    const pointer = jsonPointer(literal.replaceAll("''", "'"));
    return pointer === null ? call : `${TWIN[fn]}(${arg}, '${pointer.replaceAll("'", "''")}')`;
  });
}
