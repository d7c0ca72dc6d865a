import { NextResponse, type NextRequest } from 'next/server';
import { env, servedOverHttps } from '@/lib/config/env';
import { BAD_REQUEST_HEADER, searchProblem } from '@/lib/web/search-params';
import { securityHeaders } from '@/lib/web/security-headers';

// Runs before every page and route: a fresh nonce for this response's Content-Security-Policy,
// handed to Next on the request so its own scripts carry it, and the other protective headers.
export async function proxy(request: NextRequest) {
  const config = env();
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const headers = securityHeaders({
    nonce,
    https: servedOverHttps(config),
    oidcOrigin: config.CUSTOS_OIDC_ISSUER ? new URL(config.CUSTOS_OIDC_ISSUER).origin : null,
    development: process.env.NODE_ENV === 'development',
  });
  const problem = request.method === 'GET' || request.method === 'HEAD' ? searchProblem(request.nextUrl.pathname, request.nextUrl.searchParams) : null;
  if (problem) return badRequest(request, problem);
  const forwarded = new Headers(request.headers);
  forwarded.set('x-nonce', nonce);
  forwarded.set('Content-Security-Policy', headers['Content-Security-Policy']!);
  // only the 400 page reads the problem, and only as the portal itself asked for it below
  if (request.nextUrl.pathname !== BAD_REQUEST_PATH) forwarded.delete(BAD_REQUEST_HEADER);
  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

const BAD_REQUEST_PATH = '/bad-request';

/**
 * A value in the address bar the page cannot use: the styled 400 page, with the portal's header,
 * instead. Next ignores the status of a rewrite, so the page is fetched from the portal itself (with
 * the visitor's cookies, through this proxy again for its own nonce and headers) and answered with 400.
 */
async function badRequest(request: NextRequest, problem: string): Promise<Response> {
  const ask = new Headers({ [BAD_REQUEST_HEADER]: encodeURIComponent(problem), accept: 'text/html' });
  const cookie = request.headers.get('cookie');
  if (cookie) ask.set('cookie', cookie);
  const page = await fetch(new URL(BAD_REQUEST_PATH, request.url), { headers: ask, redirect: 'manual', cache: 'no-store' });
  const headers = new Headers(page.headers);
  for (const name of ['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'set-cookie']) headers.delete(name);
  return new Response(request.method === 'HEAD' ? null : await page.arrayBuffer(), { status: 400, headers });
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
