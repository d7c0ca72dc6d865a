import type { ReportDocument } from './document';
import { lineHeight, put, wrap, type Style } from './text';
import { COLOR, SIZE } from './theme';

export const BODY: Style = { font: 'sans', size: SIZE.body };
export const MUTED: Style = { font: 'sans', size: SIZE.small, color: COLOR.muted };
export const MONO: Style = { font: 'mono', size: SIZE.body - 0.5 };
export const LABEL: Style = { font: 'bold', size: SIZE.body - 0.5, color: COLOR.muted };

export function space(r: ReportDocument, points: number): void {
  r.y = Math.min(r.y + points, r.box().bottom);
}

/** A section heading, kept together with at least `keepWith` points of what follows. */
export function heading(r: ReportDocument, text: string, level: 1 | 2 = 1, keepWith = 40): void {
  const style: Style = level === 1 ? { font: 'bold', size: SIZE.h1, color: COLOR.accent } : { font: 'bold', size: SIZE.h2, color: COLOR.text };
  const before = level === 1 ? 14 : 8;
  const after = level === 1 ? 6 : 3;
  const lh = lineHeight(style);
  r.ensureSpace(before + lh + after + keepWith);
  if (r.y > r.box().top) r.y += before;
  for (const line of wrap(r.pdf, style, text, r.box().width).lines) {
    put(r.pdf, line, r.box().left, r.y, style);
    r.y += lh;
  }
  if (level === 1) {
    const { left, right } = r.box();
    r.pdf.moveTo(left, r.y + 1).lineTo(right, r.y + 1).lineWidth(0.5).strokeColor(COLOR.accent).stroke();
  }
  r.y += after;
}

/** Wrapped lines, indented by `indent` points, breaking pages between lines. */
export function lines(r: ReportDocument, text: string, style: Style = BODY, indent = 0, width?: number): void {
  const lh = lineHeight(style);
  for (const line of wrap(r.pdf, style, text, width ?? r.box().width - indent).lines) {
    r.ensureSpace(lh);
    put(r.pdf, line, r.box().left + indent, r.y, style);
    r.y += lh;
  }
}

export function paragraph(r: ReportDocument, text: string, style: Style = BODY): void {
  lines(r, text, style);
  r.y += 4;
}

export function bullets(r: ReportDocument, items: string[], style: Style = BODY): void {
  const indent = 12;
  for (const item of items) {
    r.ensureSpace(lineHeight(style));
    put(r.pdf, '•', r.box().left + 2, r.y, style);
    lines(r, item, style, indent);
    r.y += 2;
  }
  r.y += 2;
}

export type KeyValue = { label: string; value: string; mono?: boolean };

/** Label–value rows; values wrap in full (evidence facts are never shortened). */
export function keyValueBlock(r: ReportDocument, entries: KeyValue[], options: { labelWidth?: number } = {}): void {
  const labelWidth = options.labelWidth ?? Math.min(150, r.box().width * 0.32);
  const gap = 10;
  for (const entry of entries) {
    const valueStyle = entry.mono ? MONO : BODY;
    const label = wrap(r.pdf, LABEL, entry.label, labelWidth).lines;
    const value = wrap(r.pdf, valueStyle, entry.value || '—', r.box().width - labelWidth - gap).lines;
    const lh = lineHeight(BODY);
    const height = Math.max(label.length, value.length) * lh;
    if (height <= r.box().bottom - r.box().top) r.ensureSpace(height);
    const top = r.y;
    label.forEach((line, i) => put(r.pdf, line, r.box().left, top + i * lh, LABEL));
    let y = top;
    let broke = false;
    for (const line of value) {
      if (y + lh > r.box().bottom) {
        r.newPage();
        [y, broke] = [r.y, true];
      }
      put(r.pdf, line, r.box().left + labelWidth + gap, y, valueStyle);
      y += lh;
    }
    r.y = (broke ? y : top + height) + 3;
  }
  r.y += 4;
}
