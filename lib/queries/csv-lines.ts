// A stored result's CSV written straight from its row lines (canonical JSON arrays, one per line:
// lib/storage/result-lines.ts), without building the rows. When a block holds no escape, every
// string is the text between two quotes and holds no quote, control character or newline, so its
// cells can be cut out by position. Anything else (an escape, an object, an array holding more
// than strings) is parsed line by line and written by csvLine, which is what the fast path matches.
import type { EngineColumn } from '@/lib/engine/port';
import { eachRowLine } from '@/lib/storage/result-lines';
import { csvLine, csvText } from './csv';

const OPEN = 91; // [
const CLOSE = 93; // ]
const QUOTE = 34;
const COMMA = 44;
const NEWLINE = 10;
const BACKSLASH = 0x5c;

/**
 * csvText for text from JSON without escapes, which holds no quote, CR, LF or tab: only a comma
 * needs quoting, and only = + @ and '-' can start a formula.
 */
function plainField(text: string): string {
  const first = text.charCodeAt(0);
  if (first === 61 || first === 43 || first === 64 || first === 45) return csvText(text);
  return text.includes(',') ? `"${text}"` : text;
}

/**
 * The fallback's lines are gathered into strings of about this many characters: one string built
 * by concatenating a block's wide rows costs more to write out than several small ones.
 */
const CHUNK_CHARS = 64 * 1024;

/** The CSV lines of row lines without escapes, or null when `text` holds anything the fast path does not read. */
export function csvOfPlainRowLines(text: string): string | null {
  return text.includes('\\') ? null : cutPlainRowLines(text);
}

/** csvOfPlainRowLines for text already known to hold no backslash. */
function cutPlainRowLines(text: string): string | null {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (text.charCodeAt(i++) !== OPEN) return null;
    let line = '';
    if (text.charCodeAt(i) === CLOSE) i++;
    else {
      for (let cell = 0; ; cell++) {
        const c = text.charCodeAt(i);
        let value: string;
        if (c === QUOTE) {
          const end = text.indexOf('"', i + 1);
          if (end < 0) return null;
          value = text.slice(i + 1, end);
          i = end + 1;
        } else if (c === OPEN) {
          // an array of strings, as its items joined by '; '
          const items: string[] = [];
          i++;
          while (text.charCodeAt(i) !== CLOSE) {
            if (text.charCodeAt(i) !== QUOTE) return null;
            const end = text.indexOf('"', i + 1);
            if (end < 0) return null;
            items.push(text.slice(i + 1, end));
            i = end + 1;
            if (text.charCodeAt(i) === COMMA) i++;
          }
          i++;
          value = items.join('; ');
        } else {
          // null, a boolean or a number: JSON writes them as String() does
          let end = i;
          while (end < n && text.charCodeAt(end) !== COMMA && text.charCodeAt(end) !== CLOSE) end++;
          value = text.slice(i, end);
          if (value === 'null') value = '';
          else if (!/^(true|false|-?\d[\d.e+-]*)$/.test(value)) return null;
          i = end;
        }
        const field = value === '' ? '' : plainField(value);
        line += cell === 0 ? field : ',' + field;
        const separator = text.charCodeAt(i++);
        if (separator === CLOSE) break;
        if (separator !== COMMA) return null;
      }
    }
    if (text.charCodeAt(i++) !== NEWLINE) return null;
    out += line + '\r\n';
  }
  return out;
}

/** The CSV lines of whole stored row lines (each ended by a newline): one string from the fast path, strings of about 64 KiB otherwise. */
export function* csvOfRowLines(lines: Buffer): Generator<string> {
  // the escape test on the bytes spares decoding a block the fast path would refuse
  const fast = lines.includes(BACKSLASH) ? null : cutPlainRowLines(lines.toString('utf8'));
  if (fast !== null) {
    if (fast) yield fast;
    return;
  }
  // line by line: one flat string per line parses fastest
  let out = '';
  for (const row of eachRowLine(lines)) {
    out += csvLine(row);
    if (out.length > CHUNK_CHARS) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}

/** A CSV download of a stored result: the header, then the lines of each block of row lines. */
export async function* csvFromRowLines(columns: EngineColumn[], blocks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  yield csvLine(columns.map((c) => c.name));
  for await (const lines of blocks) yield* csvOfRowLines(lines);
}
