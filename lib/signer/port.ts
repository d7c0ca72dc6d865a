// The signer port: a key that signs the digest of a CMS signature's signed attributes, and the
// certificate chain that names it. Adapters differ only in who holds the key (a local file, AWS KMS).

/** What the key produces, in AWS KMS's names: PKCS #1 v1.5 over SHA-256, or DER ECDSA-Sig-Value. */
export type SignatureAlgorithm = 'RSASSA_PKCS1_V1_5_SHA_256' | 'ECDSA_SHA_256';

export type SignerIdentity = {
  algorithm: SignatureAlgorithm;
  /** X.509 certificates, DER, the signer's own first, then its issuers. */
  certificateChain: Buffer[];
  /** SHA-256 of the signer's certificate (DER), lowercase hex. */
  fingerprint: string;
};

export type Signer = {
  /** The adapter's name, for the record; never branched on outside the composition root. */
  readonly kind: 'local' | 'kms';
  /**
   * The key's certificate chain and algorithm, loaded on first call (the embedded default creates
   * its key then) and reused afterwards.
   */
  identity(): Promise<SignerIdentity>;
  /** Signs a SHA-256 digest (of DER signed attributes) with the key `identity()` describes. */
  sign(digest: Buffer): Promise<Buffer>;
  /** RFC 3161 time-stamping authority that stamps every signature (PAdES B-T); absent: B-B. */
  readonly timestampUrl?: string;
};

const SIGNER_ERROR = Symbol.for('custos.SignerError');

export class SignerError extends Error {
  // A brand keeps `instanceof` true when a bundler loads this module twice.
  readonly [SIGNER_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SIGNER_ERROR] === true;
  }

  constructor(
    message: string,
    /** config: settings or files; key: the key or its certificate; kms: AWS KMS; tsa: the time-stamping authority; pdf: the document. */
    readonly code: 'config' | 'key' | 'kms' | 'tsa' | 'pdf',
  ) {
    super(message);
    this.name = 'SignerError';
  }
}
