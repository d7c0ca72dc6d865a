// Name-based UUIDs (RFC 9562 version 5) so that exporting the same rows again yields the same
// resource ids, and an ATNA repository that stores by id keeps one copy per access.
import { createHash } from 'node:crypto';

/** The namespace of every Custos export id (a fixed random UUID). */
export const CUSTOS_EXPORT_NAMESPACE = '95daeca0-97df-4def-994c-9db57e080b4d';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Version 5 UUID of `name` (UTF-8) in `namespace`, lowercase. */
export function uuidV5(name: string, namespace: string = CUSTOS_EXPORT_NAMESPACE): string {
  if (!UUID.test(namespace)) throw new Error('namespace must be a lowercase UUID');
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Version 5 UUID of a list of parts; the JSON encoding keeps ["a|b"] and ["a", "b"] apart. */
export function idFromParts(parts: ReadonlyArray<string | null>): string {
  return uuidV5(JSON.stringify(parts));
}
