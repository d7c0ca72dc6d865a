import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload, type JsonWebKey } from 'oidc-provider';

export type Person = { sub: string; email: string; password: string; name: string; groups: string[] };

export type IdentityProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
};

/** Provider state kept in this process for the life of one test file. */
function memoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, AdapterPayload>();
  const findBy = (model: string, field: 'uid' | 'userCode', value: string) => {
    for (const [key, payload] of store) if (key.startsWith(`${model}:`) && payload[field] === value) return payload;
    return undefined;
  };
  return (model) => ({
    upsert: async (id, payload) => void store.set(`${model}:${id}`, payload),
    find: async (id) => store.get(`${model}:${id}`),
    findByUid: async (uid) => findBy(model, 'uid', uid),
    findByUserCode: async (userCode) => findBy(model, 'userCode', userCode),
    consume: async (id) => {
      const payload = store.get(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => void store.delete(`${model}:${id}`),
    revokeByGrantId: async (grantId) => {
      for (const [key, payload] of store) if (payload.grantId === grantId) store.delete(key);
    },
  });
}

function signingKey(): JsonWebKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JsonWebKey), kid: 'e2e-signing', alg: 'RS256', use: 'sig' };
}

function loginPage(action: string, failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hospital SSO</title></head>
<body><main>
<h1>Hospital SSO</h1>
${failed ? '<p role="alert">Unknown email or wrong password.</p>' : ''}
<form method="post" action="${action}">
<label for="email">Email</label> <input id="email" name="email" type="email" required>
<label for="password">Password</label> <input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
</main></body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A real OpenID Provider on 127.0.0.1 with one confidential client (code flow, PKCE required) and a
 * login page of its own that checks the people's passwords; consent is granted without a page, as
 * identity providers do for first-party applications.
 */
export async function startIdentityProvider(options: { redirectUri: string; people: Person[] }): Promise<IdentityProvider> {
  let route: http.RequestListener = (_req, res) => void res.writeHead(503).end();
  const server = http.createServer((req, res) => route(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'custos';
  const clientSecret = randomBytes(24).toString('base64url');
  const bySub = new Map(options.people.map((p) => [p.sub, p]));
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // The portal reads the person from the ID token alone, so scope claims go into it.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    jwks: { keys: [signingKey()] },
    pkce: { required: () => true },
    findAccount: async (_ctx, id) => {
      const person = bySub.get(id);
      if (!person) return undefined;
      return {
        accountId: person.sub,
        claims: () => ({ sub: person.sub, email: person.email, email_verified: true, name: person.name, groups: person.groups }),
      };
    },
  });
  const handleProvider = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error('consent without a signed-in account');
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId: details.params.client_id });
      if (!grant) throw new Error('the grant to extend is gone');
      const { missingOIDCScope, missingOIDCClaims } = details.prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return;
    }
    if (details.prompt.name !== 'login') throw new Error(`unsupported prompt ${details.prompt.name}`);
    if (req.method === 'POST') {
      const form = await formBody(req);
      const person = options.people.find((p) => p.email === form.get('email')?.trim().toLowerCase() && p.password === form.get('password'));
      if (person) {
        await provider.interactionFinished(req, res, { login: { accountId: person.sub } }, { mergeWithLastSubmission: false });
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(path, req.method === 'POST'));
  }

  route = (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (!/^\/interaction\/[\w-]+$/.test(path)) return handleProvider(req, res);
    interaction(req, res, path).catch((error: unknown) => {
      if (res.headersSent) return res.end();
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
