import { isIP } from 'node:net';

/**
 * The client's address, read from the X-Forwarded-For hop the site's own proxies wrote: with N
 * trusted proxies in front, the Nth entry from the right. Without a trusted proxy the header is
 * only the client's word, so no address is taken from it (null).
 */
export function clientAddress(forwardedFor: string | string[] | undefined, trustedHops: number): string | null {
  if (trustedHops < 1 || !forwardedFor) return null;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const address = chain[chain.length - trustedHops];
  return address && isIP(address) ? address : null;
}
