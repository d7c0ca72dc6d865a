// A signed-in person over plain HTTP: next-auth's own sign-in endpoint, a cookie jar, page and
// route requests, and server actions called the way the browser calls them (React's reply
// encoding, the action id from the build's manifest).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { encodeReply } = require('next/dist/compiled/react-server-dom-webpack/client.edge') as {
  encodeReply(value: unknown[]): Promise<string | FormData>;
};

type Manifest = { node: Record<string, { filename: string; exportedName: string }> };

function actionId(root: string, key: string): string {
  const [file, name] = key.split('#') as [string, string];
  const manifest = JSON.parse(fs.readFileSync(path.join(root, '.next', 'server', 'server-reference-manifest.json'), 'utf8')) as Manifest;
  const found = Object.entries(manifest.node).find(([, v]) => v.filename === `app/${file}` && v.exportedName === name);
  if (!found) throw new Error(`no server action ${key} in the build`);
  return found[0];
}

export type ActionReply = { status: number; ok: boolean | null; message: string | null; redirect: string | null; data: unknown };

export class HttpSession {
  private readonly jar = new Map<string, string>();
  private constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return this.cookie();
  }

  private cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const at = pair.indexOf('=');
      this.jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }

  static anonymous(baseUrl: string): HttpSession {
    return new HttpSession(baseUrl);
  }

  static async signIn(baseUrl: string, email: string, password = 'custos-demo'): Promise<HttpSession> {
    const session = new HttpSession(baseUrl);
    const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
    session.keep(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
    });
    session.keep(response);
    if (![...session.jar.keys()].some((k) => k.endsWith('next-auth.session-token'))) throw new Error(`${email} could not sign in`);
    return session;
  }

  /** GET, following redirects; the final status. */
  async get(pathAndQuery: string): Promise<Response> {
    return fetch(`${this.baseUrl}${pathAndQuery}`, { headers: { cookie: this.cookie() } });
  }

  /** Calls a server action (`file#export`, as in lib/web/routes.ts) from the page that uses it. */
  async action(root: string, key: string, page: string, args: unknown[]): Promise<ActionReply> {
    const body = await encodeReply(args);
    const response = await fetch(`${this.baseUrl}${page}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: this.cookie(),
        'next-action': actionId(root, key),
        accept: 'text/x-component',
        origin: this.baseUrl,
        ...(typeof body === 'string' ? { 'content-type': 'text/plain;charset=UTF-8' } : {}),
      },
      body,
    });
    const text = await response.text();
    const redirect = response.headers.get('x-action-redirect')?.split(';')[0] ?? null;
    const line = text.split('\n').find((l) => /^1:\{/.test(l));
    const state = line ? (JSON.parse(line.slice(2)) as { ok?: boolean; message?: string; data?: unknown }) : null;
    return { status: response.status, ok: redirect ? true : (state?.ok ?? null), message: state?.message ?? null, redirect, data: state?.data ?? null };
  }
}
