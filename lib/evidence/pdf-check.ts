import 'server-only';
import { sha256 } from '@/lib/signer/certificates';
import { SignerError } from '@/lib/signer/port';
import { readPdfSignature, type CertificateInfo, type PdfSignature } from '@/lib/signer/sign-pdf';

// What a PDF's own bytes say about it, trusting none of them: the last signature is checked
// cryptographically over the bytes its ByteRange names, the ByteRange must reach from the first
// byte to the last leaving out only the signature's hex string, and that string must hold the CMS
// and zero padding and nothing else.

export type PdfCheck = {
  /** SHA-256 of the whole file, lowercase hex: what the registry is searched by. */
  sha256: string;
  bytes: number;
  signature: PdfSignature | null;
  signer: CertificateInfo | null;
  /** The CMS verifies over the signed bytes with its own signer certificate (and time-stamp, if any). */
  cryptographicallyValid: boolean;
  /** Every byte but the signature's own placeholder is signed, and the signed digest matches. */
  wholeAndUnchanged: boolean;
  problems: string[];
};

/** The placeholder between the two signed ranges: '<', the CMS in hex, zero padding, '>'. */
function placeholderProblem(pdf: Buffer, signature: PdfSignature): string | null {
  const [, b, c] = signature.byteRange;
  const inside = pdf.subarray(b + 1, c - 1).toString('latin1');
  if (!/^[0-9A-Fa-f]*$/.test(inside)) return 'the signature placeholder holds bytes that are not hexadecimal digits';
  if (!/^0*$/.test(inside.slice(signature.cms.length * 2))) return 'the signature placeholder’s padding was changed';
  return null;
}

export function checkPdf(pdf: Buffer): PdfCheck {
  const result: PdfCheck = { sha256: sha256(pdf).toString('hex'), bytes: pdf.length, signature: null, signer: null, cryptographicallyValid: false, wholeAndUnchanged: false, problems: [] };
  if (!pdf.subarray(0, 1024).toString('latin1').includes('%PDF-')) {
    result.problems.push('the file is not a PDF');
    return result;
  }
  let signature: PdfSignature;
  try {
    signature = readPdfSignature(pdf);
  } catch (error) {
    if (!(error instanceof SignerError)) throw error;
    result.problems.push('the PDF carries no digital signature');
    return result;
  }
  result.signature = signature;
  result.signer = signature.certificates.find((c) => c.fingerprint === signature.signerFingerprint) ?? null;
  result.problems.push(...signature.problems);
  const placeholder = signature.coversWholeFile ? placeholderProblem(pdf, signature) : null;
  if (placeholder) result.problems.push(placeholder);
  if (!signature.coversWholeFile) result.problems.push('the signature does not cover the whole file: bytes were added or removed after signing');
  result.cryptographicallyValid = signature.valid;
  result.wholeAndUnchanged = signature.coversWholeFile && signature.digestMatches && placeholder === null;
  return result;
}
