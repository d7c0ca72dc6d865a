import type { FontName } from './fonts';
import { COLOR, LINE_GAP } from './theme';

// Text measured by summing cached glyph advances rather than through pdfkit's shaper: wrapping
// measures many prefixes, and pdfkit caches every string it lays out, for the document's lifetime.

export type Style = { font: FontName; size: number; color?: string };

export const ELLIPSIS = '…';

const advances = new Map<FontName, Map<string, number>>();
const colors = new WeakMap<PDFKit.PDFDocument, string>();

/** Width of `text` in `style`, in points (kerning ignored; DejaVu's pairs only ever narrow a line). */
export function textWidth(doc: PDFKit.PDFDocument, style: Style, text: string): number {
  let table = advances.get(style.font);
  if (!table) advances.set(style.font, (table = new Map()));
  let width = 0;
  for (const ch of text) {
    let advance = table.get(ch);
    if (advance === undefined) {
      doc.font(style.font).fontSize(1000);
      advance = doc.widthOfString(ch) / 1000;
      table.set(ch, advance);
    }
    width += advance;
  }
  return width * style.size;
}

/** Sets the fill colour, writing it only when it changes (pdfkit writes one operator per call). */
export function setColor(doc: PDFKit.PDFDocument, color: string): void {
  if (colors.get(doc) === color) return;
  doc.fillColor(color);
  colors.set(doc, color);
}

/** Forget the colour in force: a new page, or a return to an earlier one, starts from another state. */
export function resetColor(doc: PDFKit.PDFDocument): void {
  colors.delete(doc);
}

export function lineHeight(style: Style): number {
  return style.size * LINE_GAP;
}

/** Draws one line at (x, y) — y is the top of the line box — never wrapping, never adding a page. */
export function put(doc: PDFKit.PDFDocument, text: string, x: number, y: number, style: Style): void {
  if (!text) return;
  doc.font(style.font).fontSize(style.size);
  setColor(doc, style.color ?? COLOR.text);
  doc.text(text, x, y, { lineBreak: false });
}

/** Draws one line right-aligned to `right`. */
export function putRight(doc: PDFKit.PDFDocument, text: string, right: number, y: number, style: Style): void {
  put(doc, text, right - textWidth(doc, style, text), y, style);
}

/** How many leading characters of `chars` fit in `width`, from precomputed advances. */
function fitting(doc: PDFKit.PDFDocument, style: Style, chars: string[], width: number): number {
  let used = 0;
  for (let i = 0; i < chars.length; i++) {
    used += textWidth(doc, style, chars[i]!);
    if (used > width) return i;
  }
  return chars.length;
}

function withEllipsis(doc: PDFKit.PDFDocument, style: Style, text: string, width: number): string {
  const chars = Array.from(text);
  const n = fitting(doc, style, chars, width - textWidth(doc, style, ELLIPSIS));
  return chars.slice(0, n).join('').trimEnd() + ELLIPSIS;
}

/** `text` when it fits `width`, else its longest prefix that fits with an ellipsis after it. */
export function fit(doc: PDFKit.PDFDocument, style: Style, text: string, width: number): string {
  return textWidth(doc, style, text) <= width ? text : withEllipsis(doc, style, text, width);
}

/** Splits a token wider than `width` into pieces that fit (at least one character each). */
function hardSplit(doc: PDFKit.PDFDocument, style: Style, token: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = Array.from(token);
  while (rest.length) {
    const n = Math.max(1, fitting(doc, style, rest, width));
    pieces.push(rest.slice(0, n).join(''));
    rest = rest.slice(n);
  }
  return pieces;
}

// Break opportunities: after spaces and after the separators of ARNs, keys, UIDs and e-mail addresses.
const SEGMENT = /[^\s/:,;.\-_@=&|]+[\s/:,;.\-_@=&|]*|[\s/:,;.\-_@=&|]+/g;

/** The width of the widest piece of `text` that wrapping cannot break. */
export function longestUnbreakable(doc: PDFKit.PDFDocument, style: Style, text: string): number {
  let widest = 0;
  for (const segment of text.match(SEGMENT) ?? []) widest = Math.max(widest, textWidth(doc, style, segment.trimEnd()));
  return widest;
}

function wrapParagraph(doc: PDFKit.PDFDocument, style: Style, text: string, width: number): string[] {
  if (textWidth(doc, style, text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  for (const segment of text.match(SEGMENT) ?? []) {
    const visible = textWidth(doc, style, segment.trimEnd());
    if (line && lineWidth + visible <= width) {
      line += segment;
      lineWidth += textWidth(doc, style, segment);
      continue;
    }
    if (line) lines.push(line.trimEnd());
    line = '';
    lineWidth = 0;
    const start = segment.trimStart();
    if (!start) continue;
    const word = start.trimEnd();
    const pieces = textWidth(doc, style, word) <= width ? [word] : hardSplit(doc, style, word, width);
    lines.push(...pieces.slice(0, -1));
    line = pieces.at(-1)! + start.slice(word.length);
    lineWidth = textWidth(doc, style, line);
  }
  if (line.trimEnd()) lines.push(line.trimEnd());
  return lines.length ? lines : [''];
}

// Control characters other than line breaks have no glyph: they print as spaces.
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Lines of `text` no wider than `width`, at most `maxLines`; when it needs more, the last line
 * ends with an ellipsis and `truncated` is true.
 */
export function wrap(doc: PDFKit.PDFDocument, style: Style, text: string, width: number, maxLines = Infinity): { lines: string[]; truncated: boolean } {
  const lines = text
    .replace(CONTROL, ' ')
    .split(/\r\n?|\n/)
    .flatMap((paragraph) => wrapParagraph(doc, style, paragraph, width));
  if (lines.length <= maxLines) return { lines, truncated: false };
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = withEllipsis(doc, style, kept[maxLines - 1]!, width);
  return { lines: kept, truncated: true };
}
