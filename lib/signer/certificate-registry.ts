import 'server-only';
import { X509Certificate } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import type { Db } from '@/lib/db/port';
import { signerCertificates, type SignerCertificateRow } from '@/lib/db/schema';
import { toPem } from './certificates';
import type { Signer, SignerIdentity } from './port';

// Every certificate the portal has signed with, recorded in the database the first time it signs:
// a signer that rotates (a new embedded key, another PKCS #12, another KMS key) leaves the old
// certificates here, so what they signed keeps naming a certificate the portal vouches for.

/** Records the signer's certificate in the caller's transaction (nothing when it is already known). */
export async function recordSignerCertificate(tx: Db, signer: Pick<Signer, 'kind'>, identity: SignerIdentity, at: Date): Promise<void> {
  const leaf = new X509Certificate(identity.certificateChain[0]!);
  await tx
    .insert(signerCertificates)
    .values({
      fingerprint: identity.fingerprint,
      subject: leaf.subject.replaceAll('\n', ', '),
      issuer: leaf.issuer.replaceAll('\n', ', '),
      serialNumber: leaf.serialNumber.toLowerCase(),
      notBefore: new Date(leaf.validFrom),
      notAfter: new Date(leaf.validTo),
      chainPem: identity.certificateChain.map((der) => toPem(der)).join(''),
      adapter: signer.kind,
      firstUsedAt: at,
    })
    .onConflictDoNothing({ target: signerCertificates.fingerprint });
}

export async function findSignerCertificate(db: Db, fingerprint: string): Promise<SignerCertificateRow | null> {
  const [row] = await db.select().from(signerCertificates).where(eq(signerCertificates.fingerprint, fingerprint));
  return row ?? null;
}

/** Every certificate recorded, the newest first. */
export async function listSignerCertificates(db: Db): Promise<SignerCertificateRow[]> {
  return db.select().from(signerCertificates).orderBy(desc(signerCertificates.firstUsedAt));
}
