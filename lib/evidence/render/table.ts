import type { Orientation, ReportDocument } from './document';
import { heading, MUTED, lines } from './blocks';
import { formatCell, formatNumber, isRightAligned, isRigid } from './cells';
import { fit, lineHeight, longestUnbreakable, put, setColor, textWidth, wrap, type Style } from './text';
import { COLOR, LINE_GAP, MARGIN, PORTRAIT, SIZE } from './theme';
import type { Cell, ColumnDto } from './types';
import { chooseWidths, type WidthNeed } from './widths';

export type TableColumn = Pick<ColumnDto, 'label' | 'kind'>;

export type TableOptions = {
  /** A section heading drawn before the table, on the table's first page (which may turn landscape). */
  heading?: string;
  /** Printed above the table, and as "<title> (continued)" above the header on every further page. */
  title?: string;
  /** Lines a cell may take before it is cut with an ellipsis (4 by default). */
  maxLines?: number;
  /** Rows read ahead to choose the column widths (200 by default). */
  sampleRows?: number;
  /** 'auto' (the default) turns to landscape pages when the columns need more than a portrait width. */
  orientation?: 'auto' | Orientation;
  /** Said instead of an empty table. */
  empty?: string;
};

export type TableResult = { rows: number; truncatedValues: number };

const PAD_X = 3;
const PAD_Y = 2.2;
const MIN_FLEX = 24;
const MAX_MIN = 85;
const MAX_DESIRED = 250;
const HEADER_LINES = 3;

const BODY_STYLE: Style = { font: 'sans', size: SIZE.table };
const ID_STYLE: Style = { font: 'mono', size: SIZE.table };
const HEAD_STYLE: Style = { font: 'bold', size: SIZE.table };
const TITLE_STYLE: Style = { font: 'bold', size: SIZE.small + 0.5, color: COLOR.text };

type Rows = AsyncIterable<Cell[]> | Iterable<Cell[]>;

function iterate(rows: Rows): AsyncIterator<Cell[]> | Iterator<Cell[]> {
  return Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
}

function styleOf(column: TableColumn): Style {
  return column.kind === 'id' ? ID_STYLE : BODY_STYLE;
}

function labelOf(column: TableColumn): string {
  return column.kind === 'time' && !/\bUTC\b/.test(column.label) ? `${column.label} (UTC)` : column.label;
}

function measureNeeds(doc: PDFKit.PDFDocument, columns: TableColumn[], sample: string[][]): WidthNeed[] {
  return columns.map((column, c) => {
    const label = labelOf(column);
    const style = styleOf(column);
    const labelMin = Math.min(MAX_MIN, longestUnbreakable(doc, HEAD_STYLE, label));
    const labelMax = textWidth(doc, HEAD_STYLE, label) / HEADER_LINES;
    let widest = 0;
    let unbreakable = 0;
    for (const row of sample) {
      for (const line of row[c]!.split('\n')) {
        widest = Math.max(widest, textWidth(doc, style, line));
        if (!isRigid(column.kind)) unbreakable = Math.max(unbreakable, longestUnbreakable(doc, style, line));
      }
    }
    const pad = 2 * PAD_X + 0.5;
    if (isRigid(column.kind)) {
      const width = Math.max(widest, labelMin) + pad;
      return { min: width, max: width, rigid: true };
    }
    const min = Math.max(MIN_FLEX, labelMin, Math.min(MAX_MIN, unbreakable)) + pad;
    return { min, max: Math.max(min, Math.min(MAX_DESIRED, Math.max(widest, labelMax)) + pad) };
  });
}

type Layout = { columns: TableColumn[]; widths: number[]; x: number[]; headerLines: string[][]; headerHeight: number; maxLines: number };

function drawHeader(r: ReportDocument, layout: Layout, title: string | undefined, continued: boolean): void {
  const doc = r.pdf;
  if (title) {
    put(doc, continued ? `${title} (continued)` : title, r.box().left, r.y, TITLE_STYLE);
    r.y += lineHeight(TITLE_STYLE) + 2;
  }
  const width = layout.widths.reduce((a, b) => a + b, 0);
  setColor(doc, COLOR.headerFill);
  doc.rect(r.box().left, r.y, width, layout.headerHeight).fill();
  const lh = lineHeight(HEAD_STYLE);
  layout.columns.forEach((column, c) => {
    layout.headerLines[c]!.forEach((line, i) => {
      const y = r.y + PAD_Y + i * lh;
      const x = isRightAligned(column.kind) ? layout.x[c]! + layout.widths[c]! - PAD_X - textWidth(doc, HEAD_STYLE, line) : layout.x[c]! + PAD_X;
      put(doc, line, x, y, HEAD_STYLE);
    });
  });
  r.y += layout.headerHeight;
  doc.moveTo(r.box().left, r.y).lineTo(r.box().left + width, r.y).lineWidth(0.6).strokeColor(COLOR.rule).stroke();
}

/**
 * Draws a table whose rows arrive one at a time: widths come from the labels and the first rows,
 * the header is repeated on every page the table reaches, long values wrap and then end with "…".
 */
export async function drawTable(r: ReportDocument, columns: TableColumn[], rows: Rows, options: TableOptions = {}): Promise<TableResult> {
  const iterator = iterate(rows);
  const state = { done: false };
  try {
    return await drawRows(r, columns, iterator, state, options);
  } finally {
    // A failed report still closes what it was reading (a result stream, a cursor).
    if (!state.done) await iterator.return?.();
  }
}

async function drawRows(r: ReportDocument, columns: TableColumn[], iterator: AsyncIterator<Cell[]> | Iterator<Cell[]>, state: { done: boolean }, options: TableOptions): Promise<TableResult> {
  const doc = r.pdf;
  const next = async (): Promise<string[] | null> => {
    const item = await iterator.next();
    if (item.done) {
      state.done = true;
      return null;
    }
    return columns.map((column, c) => formatCell(item.value[c] ?? null, column.kind));
  };
  const sample: string[][] = [];
  const sampleSize = options.sampleRows ?? 200;
  while (sample.length < sampleSize) {
    const cells = await next();
    if (!cells) break;
    sample.push(cells);
  }

  const needs = measureNeeds(doc, columns, sample);
  const wanted = needs.reduce((sum, n) => sum + n.min + (n.max - n.min) / 3, 0);
  const portraitWidth = PORTRAIT.width - MARGIN.left - MARGIN.right;
  const orientation = options.orientation === 'auto' || !options.orientation ? (wanted > portraitWidth ? 'landscape' : r.orientation) : options.orientation;
  if (orientation !== r.orientation) r.newPage(orientation);

  const widths = chooseWidths(needs, r.box().width);
  const x: number[] = [];
  widths.reduce((left, w) => (x.push(left), left + w), r.box().left);
  const headerLines = columns.map((column, c) => wrap(doc, HEAD_STYLE, labelOf(column), widths[c]! - 2 * PAD_X, HEADER_LINES).lines);
  const headerHeight = Math.max(1, ...headerLines.map((l) => l.length)) * lineHeight(HEAD_STYLE) + 2 * PAD_Y;
  const tableWidth = widths.reduce((a, b) => a + b, 0);
  const layout: Layout = { columns, widths, x, headerLines, headerHeight, maxLines: options.maxLines ?? 4 };
  const titleHeight = options.title ? lineHeight(TITLE_STYLE) + 2 : 0;
  const rowLine = SIZE.table * LINE_GAP;

  const start = titleHeight + headerHeight + rowLine * 2 + 2 * PAD_Y;
  if (options.heading) heading(r, options.heading, 1, start);
  r.ensureSpace(start);
  drawHeader(r, layout, options.title, false);

  let count = 0;
  let truncatedValues = 0;
  const drawRow = (cells: string[]): void => {
    const cellLines = cells.map((text, c) => {
      const column = columns[c]!;
      const style = styleOf(column);
      if (isRigid(column.kind)) {
        const shown = fit(doc, style, text, widths[c]! - 2 * PAD_X);
        if (shown !== text) truncatedValues++;
        return [shown];
      }
      const wrapped = wrap(doc, style, text, widths[c]! - 2 * PAD_X, layout.maxLines);
      if (wrapped.truncated) truncatedValues++;
      return wrapped.lines;
    });
    const height = Math.max(...cellLines.map((l) => l.length)) * rowLine + 2 * PAD_Y;
    if (r.y + height > r.box().bottom) {
      r.newPage();
      drawHeader(r, layout, options.title, true);
    }
    if (count % 2 === 1) {
      setColor(doc, COLOR.zebra);
      doc.rect(r.box().left, r.y, tableWidth, height).fill();
    }
    cellLines.forEach((cellText, c) => {
      const column = columns[c]!;
      const style = styleOf(column);
      cellText.forEach((line, i) => {
        const lineX = isRightAligned(column.kind) ? x[c]! + widths[c]! - PAD_X - textWidth(doc, style, line) : x[c]! + PAD_X;
        put(doc, line, lineX, r.y + PAD_Y + i * rowLine, style);
      });
    });
    r.y += height;
    count++;
  };

  for (const cells of sample) drawRow(cells);
  sample.length = 0;
  for (let cells = state.done ? null : await next(); cells; cells = await next()) drawRow(cells);

  doc.moveTo(r.box().left, r.y).lineTo(r.box().left + tableWidth, r.y).lineWidth(0.6).strokeColor(COLOR.rule).stroke();
  r.y += 4;
  if (count === 0) lines(r, options.empty ?? 'No rows.', MUTED);
  if (truncatedValues > 0) {
    const what = truncatedValues === 1 ? '1 value is longer than its column allows and ends' : `${formatNumber(truncatedValues)} values are longer than their columns allow and end`;
    lines(r, `${what} with “…” here; the complete values are in the result itself.`, MUTED);
  }
  r.y += 6;
  return { rows: count, truncatedValues };
}
