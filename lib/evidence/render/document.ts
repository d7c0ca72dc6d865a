import PDFDocument from 'pdfkit';
import { registerFonts } from './fonts';
import { createPageTotal, forgetLayouts, type PageTotal } from './pdfkit-internals';
import { fit, put, putRight, resetColor, textWidth, type Style } from './text';
import { BAND, COLOR, FOOTER, MARGIN, PAGE_SIZE, SIZE } from './theme';
import type { ReportHeader, ReportKind } from './types';

export type Orientation = 'portrait' | 'landscape';

/** The content area of the current page. */
export type Box = { left: number; right: number; top: number; bottom: number; width: number };

/** A report being drawn: pdfkit's document, and a cursor (`y`) that only the report's blocks move. */
export type ReportDocument = {
  readonly pdf: PDFKit.PDFDocument;
  readonly header: ReportHeader;
  y: number;
  readonly orientation: Orientation;
  box(): Box;
  newPage(orientation?: Orientation): void;
  /** Starts a new page (same orientation) unless `height` points still fit below the cursor. */
  ensureSpace(height: number): void;
  /** Ends the document (the page total is written now) and returns its bytes. */
  finish(): Promise<Buffer>;
};

export const KIND_LABEL: Record<ReportKind, string> = {
  'query-run': 'Query-run report',
  'patient-access': 'Patient access report',
  'posture-summary': 'Posture summary',
  disposition: 'Proof-of-disposition certificate',
};

export type DocumentMeta = { subject: string; keywords?: string[] };

export function createReportDocument(header: ReportHeader, meta: DocumentMeta): ReportDocument {
  const created = new Date(header.generatedAt);
  if (Number.isNaN(created.getTime())) throw new Error(`generatedAt is not a date: ${header.generatedAt}`);
  // pdfkit derives the trailer /ID from the info dictionary: fixed dates make the bytes reproducible.
  // Pages are written out as they fill (not buffered): memory stays flat however long the report.
  const pdf = new PDFDocument({
    size: PAGE_SIZE,
    margins: MARGIN,
    autoFirstPage: false,
    displayTitle: true,
    lang: 'en-US',
    info: {
      Title: header.title,
      Author: 'Custos',
      Subject: meta.subject,
      Keywords: [header.evidenceId, header.kind, ...(meta.keywords ?? [])].join(', '),
      Creator: `Custos ${header.portalVersion}`,
      Producer: `Custos ${header.portalVersion} (PDFKit)`,
      CreationDate: created,
      ModDate: created,
    },
  });
  registerFonts(pdf);
  const pageTotal = createPageTotal(pdf, FOOTER_STYLE.font, FOOTER_STYLE.size, hexToRgb(FOOTER_STYLE.color));
  let pages = 0;
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    pdf.on('end', resolve);
    pdf.on('error', reject);
  });

  let orientation: Orientation = 'portrait';
  const box = (): Box => {
    const page = pdf.page;
    return { left: MARGIN.left, right: page.width - MARGIN.right, top: MARGIN.top, bottom: page.height - MARGIN.bottom, width: page.width - MARGIN.left - MARGIN.right };
  };
  const report: ReportDocument = {
    pdf,
    header,
    y: MARGIN.top,
    get orientation() {
      return orientation;
    },
    box,
    newPage(next = orientation) {
      orientation = next;
      pdf.addPage({ size: PAGE_SIZE, layout: next, margins: MARGIN });
      resetColor(pdf);
      forgetLayouts(pdf);
      pages++;
      drawBand(pdf, header);
      drawFooter(pdf, header, pages, pageTotal);
      report.y = MARGIN.top;
    },
    ensureSpace(height) {
      if (!pdf.page || report.y + height > box().bottom) report.newPage();
    },
    async finish() {
      pageTotal.finish(pages);
      pdf.end();
      await ended;
      return Buffer.concat(chunks);
    },
  };
  return report;
}

function drawBand(pdf: PDFKit.PDFDocument, header: ReportHeader): void {
  const { width } = pdf.page;
  const right = width - MARGIN.right;
  const label = `CUSTOS · ${KIND_LABEL[header.kind]}`;
  const strong: Style = { font: 'bold', size: SIZE.band, color: COLOR.accent };
  const muted: Style = { font: 'sans', size: SIZE.band, color: COLOR.muted };
  put(pdf, label, MARGIN.left, BAND.y, strong);
  putRight(pdf, fit(pdf, muted, header.title, right - MARGIN.left - textWidth(pdf, strong, label) - 24), right, BAND.y, muted);
  pdf.moveTo(MARGIN.left, BAND.rule).lineTo(right, BAND.rule).lineWidth(0.6).strokeColor(COLOR.accent).stroke();
}

const FOOTER_STYLE = { font: 'sans', size: SIZE.band, color: COLOR.muted } satisfies Style;

function hexToRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
}

function drawFooter(pdf: PDFKit.PDFDocument, header: ReportHeader, page: number, total: PageTotal): void {
  const { width, height } = pdf.page;
  const right = width - MARGIN.right;
  const ruleY = height - FOOTER.rule;
  pdf.moveTo(MARGIN.left, ruleY).lineTo(right, ruleY).lineWidth(0.4).strokeColor(COLOR.rule).stroke();
  const y = height - FOOTER.text;
  const label = `Page ${page} of `;
  put(pdf, label, MARGIN.left, y, FOOTER_STYLE);
  total.place(MARGIN.left + textWidth(pdf, FOOTER_STYLE, label), y);
  putRight(pdf, `Evidence ${header.evidenceId}`, right, y, FOOTER_STYLE);
}
