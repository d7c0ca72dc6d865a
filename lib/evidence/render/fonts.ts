import fs from 'node:fs';
import path from 'node:path';

// DejaVu, embedded (subset) in every report: the 14 standard PDF fonts are never embedded. Read
// from node_modules at run time, relative to the working directory, because bundlers rewrite
// require.resolve and pdfkit is loaded as an external package.
const FILES = { sans: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', mono: 'DejaVuSansMono.ttf' } as const;

export type FontName = keyof typeof FILES;

export const FONT_DIR = path.join(process.cwd(), 'node_modules', 'dejavu-fonts-ttf', 'ttf');

let cache: Record<FontName, Buffer> | undefined;

function loadFonts(): Record<FontName, Buffer> {
  if (cache) return cache;
  const read = (file: string): Buffer => {
    const full = path.join(FONT_DIR, file);
    try {
      return fs.readFileSync(full);
    } catch {
      throw new Error(`The report font ${full} is missing: install the dependency dejavu-fonts-ttf`);
    }
  };
  cache = { sans: read(FILES.sans), bold: read(FILES.bold), mono: read(FILES.mono) };
  return cache;
}

/** Registers the report fonts under their names ('sans', 'bold', 'mono'). */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  const fonts = loadFonts();
  for (const name of Object.keys(FILES) as FontName[]) doc.registerFont(name, fonts[name]);
}
