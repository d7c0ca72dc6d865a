// The key-ring port: secrets the portal derives from one installation key the database never holds.

/** What a pseudonym names; each kind has its own key, so equal values of different kinds do not match. */
export type PseudonymKind = 'patient' | 'study' | 'value';

export type KeyRing = {
  /** AES-256-GCM with a fresh nonce; `context` is bound as associated data (a sealed value opens only in its context). */
  seal(plain: Buffer, context: string): Buffer;
  /** Opens what seal() made in the same context; throws on any alteration. */
  open(sealed: Buffer, context: string): Buffer;
  /** A 256-bit key for sealing files of one kind at rest (e.g. 'results'), derived for that purpose only. */
  fileKey(purpose: 'results'): Buffer;
  /** A short, stable, keyed pseudonym: the same value always gives the same reference, which reveals nothing of it. */
  pseudonym(kind: PseudonymKind, value: string): string;
  /** The key journal checkpoints are authenticated with, and its identifier. */
  checkpointKey(): { id: string; key: Buffer };
};
