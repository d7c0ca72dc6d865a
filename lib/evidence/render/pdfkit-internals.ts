// The two places reports reach into pdfkit's internals (its font and page objects), to keep
// memory flat for long reports: the page total drawn as a late-filled form XObject, and the
// per-font layout cache emptied at each page.

type PdfkitFont = { id: string; ascender: number; ref(): object; encode(text: string): [string[], unknown[]]; layoutCache?: object };
type PdfkitRef = { end(chunk?: string): void };
type Internals = {
  _font: PdfkitFont;
  _fontFamilies: Record<string, PdfkitFont>;
  page: { xobjects: Record<string, object> };
  ref(data: object): PdfkitRef;
  addContent(data: string): unknown;
};

const NAME = 'CustosPageTotal';

export type PageTotal = {
  /** Draws the total at (x, y), y being the top of a line of `size` points in font `font`. */
  place(x: number, y: number): void;
  /** Writes the total; call once, before the document ends. */
  finish(total: number): void;
};

/**
 * "Page N of M" while each page is written out as soon as it is full: M is a form XObject every
 * page draws, given its content when the document ends. `rgb`: the fill colour, 0–1 components.
 */
export function createPageTotal(doc: PDFKit.PDFDocument, font: string, size: number, rgb: [number, number, number]): PageTotal {
  const pdf = doc as unknown as Internals;
  doc.font(font);
  const { id, ascender } = pdf._font;
  const fontRef = pdf._font.ref();
  const encode = (text: string) => pdf._font.encode(text)[0].join('');
  const form = pdf.ref({ Type: 'XObject', Subtype: 'Form', BBox: [0, -size, 20 * size, 2 * size], Resources: { Font: { [id]: fontRef } } });
  const baseline = (ascender / 1000) * size;
  return {
    place(x, y) {
      pdf.page.xobjects[NAME] = form;
      // pdfkit's pages draw with y pointing down: flip back for the form, its origin on the baseline.
      pdf.addContent(`q 1 0 0 -1 ${x.toFixed(3)} ${(y + baseline).toFixed(3)} cm /${NAME} Do Q`);
    },
    finish(total) {
      doc.font(font);
      const glyphs = encode(String(total));
      form.end(`${rgb.map((c) => c.toFixed(3)).join(' ')} rg BT /${id} ${size} Tf 0 0 Td <${glyphs}> Tj ET`);
    },
  };
}

/** pdfkit caches the shaping of every distinct word for the document's lifetime; keep one page's worth. */
export function forgetLayouts(doc: PDFKit.PDFDocument): void {
  for (const font of Object.values((doc as unknown as Internals)._fontFamilies)) {
    if (font.layoutCache) font.layoutCache = Object.create(null) as object;
  }
}
