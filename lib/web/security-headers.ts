// The browser-side protections of every response: a nonce-based Content-Security-Policy (scripts
// only from the portal, each inline one carrying this response's nonce), HSTS over https, and a
// Permissions-Policy that turns off what an audit portal never uses.

export type SecurityHeaderOptions = {
  nonce: string;
  /** The portal is served over https (its public URL says so). */
  https: boolean;
  /** The identity provider's origin, to which the sign-in form hands over. */
  oidcOrigin?: string | null;
  /** `next dev` evaluates code for hot reloading. */
  development?: boolean;
};

export function contentSecurityPolicy(o: SecurityHeaderOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${o.nonce}' 'strict-dynamic'${o.development ? " 'unsafe-eval'" : ''}`,
    // charts and layout set style attributes; styles cannot run code, so inline ones are allowed
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self'${o.oidcOrigin ? ` ${o.oidcOrigin}` : ''}`,
    ...(o.https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

export function securityHeaders(o: SecurityHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(o),
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), midi=(), browsing-topics=(), interest-cohort=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(o.https ? { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}
