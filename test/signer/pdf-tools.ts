// PDFs to sign and poppler's pdfsig to judge them. pdfsig exits 0 whatever it finds, so callers
// read its text; it always gets an NSS database of the test's own (empty unless a CA is imported).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** A small PDF built whole in memory with an embedded TrueType font. */
export async function makePdf(lines: string[] = ['Evidence report', 'Access to study 1.2.840.99999.1 on 2026-03-01']): Promise<Buffer> {
  const doc = new PDFDocument({ info: { Title: 'Custos test evidence', CreationDate: new Date('2026-03-01T12:00:00Z') } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.font(FONT).fontSize(14);
  for (const line of lines) doc.text(line);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** A new, empty NSS database (nothing trusted). */
export function nssDatabase(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  return dir;
}

/**
 * Trusts a CA for S/MIME, which is what pdfsig checks signer certificates for (certificateUsageEmailSigner):
 * with `-t "C,,"` (SSL only) pdfsig still says "Certificate issuer isn't Trusted."
 */
export function trustCa(nssDir: string, caPem: string): void {
  execFileSync('certutil', ['-A', '-n', 'custos-test-ca', '-t', 'C,C,C', '-i', caPem, '-d', `sql:${nssDir}`]);
}

/**
 * pdfsig's report on a file (stdout), with the given NSS database. Not `-no-ocsp`: pdfsig 22.12 then
 * reports a trusted chain as "Unknown issue with Certificate"; the test certificates name no OCSP
 * responder, so nothing goes to the network.
 */
export function pdfsig(file: string, nssDir: string): string {
  const result = spawnSync('pdfsig', ['-nssdir', `sql:${nssDir}`, file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return result.stdout;
}

export function writeTemp(dir: string, name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** The same bytes with one byte changed at `offset`. */
export function flipByte(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = copy[offset]! ^ 0x01;
  return copy;
}
