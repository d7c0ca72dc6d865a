import { randomBytes } from 'node:crypto';

// Evidence ids: EV-<year>-<8 characters of Crockford base32>, random rather than counted (a
// sequence number would tell anyone holding two reports how many were issued in between).

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const EVIDENCE_ID = /^EV-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$/;

export function newEvidenceId(now: Date): string {
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return `EV-${now.getUTCFullYear()}-${id}`;
}

/** The first evidence id a PDF names in its uncompressed parts (the document information's keywords). */
export function claimedEvidenceId(pdf: Buffer): string | null {
  return /EV-\d{4}-[0-9A-HJKMNP-TV-Z]{8}/.exec(pdf.toString('latin1'))?.[0] ?? null;
}
