import 'server-only';
import { fingerprintOf, sha256 } from './certificates';
import { buildCmsSignature } from './cms';
import type { Signer } from './port';
import { parseSignedData, verifySignerInfo } from './signed-data';

// A detached CMS signature over bytes that are not a PDF (a journal checkpoint's canonical JSON):
// the same SignedData as a PAdES signature, so `openssl cms -verify -binary -content FILE` checks it.

/** DER ContentInfo(SignedData) over `content`, with the signer's certificate chain embedded. */
export async function signDetached(signer: Signer, content: Buffer): Promise<Buffer> {
  return buildCmsSignature(signer, sha256(content));
}

export type DetachedCheck = { valid: boolean; signerFingerprint: string | null; problems: string[] };

/** Checks a detached signature over `content` with nothing but the certificates it carries. */
export function verifyDetached(cms: Buffer, content: Buffer): DetachedCheck {
  try {
    const check = verifySignerInfo(parseSignedData(cms), content);
    return {
      valid: check.problems.length === 0 && check.signatureValid && check.messageDigestMatches,
      signerFingerprint: check.signerCertificate ? fingerprintOf(check.signerCertificate) : null,
      problems: check.problems,
    };
  } catch (error) {
    return { valid: false, signerFingerprint: null, problems: [`not a readable CMS SignedData: ${error instanceof Error ? error.message : String(error)}`] };
  }
}
