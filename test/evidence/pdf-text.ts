// poppler's view of a PDF: text by page (pdftotext -layout), fonts (pdffonts), metadata (pdfinfo).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-evidence-'));

export function removeTmpDir(): void {
  fs.rmSync(tmpDir, { recursive: true, force: true });
}

let n = 0;
export function writePdf(pdf: Buffer, name = `report-${++n}.pdf`): string {
  const file = path.join(tmpDir, name);
  fs.writeFileSync(file, pdf);
  return file;
}

/** The text of each page, as pdftotext -layout lays it out. */
export function pagesOf(pdf: Buffer): string[] {
  const text = execFileSync('pdftotext', ['-layout', writePdf(pdf), '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return text.split('\f').slice(0, -1);
}

export function fontsOf(pdf: Buffer): { name: string; embedded: boolean }[] {
  const out = execFileSync('pdffonts', [writePdf(pdf)], { encoding: 'utf8' });
  return out
    .split('\n')
    .slice(2)
    .filter((line) => line.trim())
    .map((line) => {
      const cols = line.trim().split(/\s+/);
      // name type… encoding emb sub uni id gen: emb is the fifth field from the end
      return { name: cols[0]!, embedded: cols.at(-5) === 'yes' };
    });
}

export function infoOf(pdf: Buffer): Record<string, string> {
  const out = execFileSync('pdfinfo', ['-isodates', writePdf(pdf)], { encoding: 'utf8' });
  return Object.fromEntries(out.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

/** Each page's [width, height] in points. */
export function pageSizesOf(pdf: Buffer): [number, number][] {
  const out = execFileSync('pdfinfo', ['-f', '1', '-l', '100000', writePdf(pdf)], { encoding: 'utf8' });
  return [...out.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** Collapses the runs of spaces -layout puts between words, for matching sentences. */
export const flat = (text: string) => text.replace(/\s+/g, ' ');
