import { NextResponse, type NextRequest } from 'next/server';
import { env, servedOverHttps } from '@/lib/config/env';
import { BAD_REQUEST_HEADER, searchProblem } from '@/lib/web/search-params';
import { securityHeaders } from '@/lib/web/security-headers';

// Runs before every page and route: a fresh nonce for this response's Content-Security-Policy,
// handed to Next on the request so its own scripts carry it, and the other protective headers.
export function proxy(request: NextRequest) {
  const config = env();
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const headers = securityHeaders({
    nonce,
    https: servedOverHttps(config),
    oidcOrigin: config.CUSTOS_OIDC_ISSUER ? new URL(config.CUSTOS_OIDC_ISSUER).origin : null,
    development: process.env.NODE_ENV === 'development',
  });
  const forwarded = new Headers(request.headers);
  forwarded.set('x-nonce', nonce);
  forwarded.set('Content-Security-Policy', headers['Content-Security-Policy']!);
  const problem = request.method === 'GET' || request.method === 'HEAD' ? searchProblem(request.nextUrl.pathname, request.nextUrl.searchParams) : null;
  if (problem) forwarded.set(BAD_REQUEST_HEADER, encodeURIComponent(problem));
  // A value in the address bar the page cannot use: the styled 400 page, with the portal's header, instead.
  const response = problem
    ? NextResponse.rewrite(new URL('/bad-request', request.url), { status: 400, request: { headers: forwarded } })
    : NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
