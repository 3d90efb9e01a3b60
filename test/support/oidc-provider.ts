// Single sign-on tests: a REAL OpenID Connect provider (panva's oidc-provider) on a random loopback port, with two
// confidential clients (ours and another app), accounts the test defines, and a tiny login page of our own instead
// of its development interactions: GET /interaction/:uid shows a form, POST logs the named account in and grants
// the requested scopes (provider.interactionFinished). Tests drive it over HTTP (login()) or with a real browser.
import { createHash, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export type OidcAccount = { email?: string; email_verified?: boolean; name?: string; groups?: string[] };

export const OIDC_CLIENT = { OIDC_CLIENT_ID: 'mistralchat', OIDC_CLIENT_SECRET: 'mistralchat-secret-0123456789' };
export const OTHER_CLIENT = { id: 'other-app', secret: 'other-app-secret-0123456789', redirectUri: 'http://other.test/callback' };

export type TestProvider = {
  issuer: string;
  accounts: Map<string, OidcAccount>;
  /** Answers the next POST /token with this body instead of the provider's (a genuine token response, tampered). */
  nextTokenResponse: Record<string, unknown> | null;
  /** How many times the discovery document was fetched. */
  discoveries: number;
  /** Follows an authorization URL through the login page as `accountId`; returns where the provider sends the browser back. */
  login(authorizationUrl: string, accountId: string): Promise<URL>;
  /** A whole code flow as `client` (not through the app): the token endpoint's JSON. */
  tokensFor(client: { id: string; secret: string; redirectUri: string }, accountId: string, nonce: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `redirectUris` may be a function: the provider is built on its first request, so a browser test can start the app
 * (whose port it needs) after learning the issuer.
 */
export async function startOidcProvider(opts: { redirectUris: string[] | (() => string[]); port?: number }): Promise<TestProvider> {
  const accounts = new Map<string, OidcAccount>();
  let provider: Provider | null = null;
  let handle: ReturnType<Provider['callback']> | null = null;
  let issuer = '';
  const jwk = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' };

  const build = () => new Provider(issuer, {
    clients: [
      { client_id: OIDC_CLIENT.OIDC_CLIENT_ID, client_secret: OIDC_CLIENT.OIDC_CLIENT_SECRET, redirect_uris: typeof opts.redirectUris === 'function' ? opts.redirectUris() : opts.redirectUris, grant_types: ['authorization_code'], response_types: ['code'] },
      { client_id: OTHER_CLIENT.id, client_secret: OTHER_CLIENT.secret, redirect_uris: [OTHER_CLIENT.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['test-provider-cookie-key'] },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
    // Email and groups are not in a code flow's ID token (conformIdTokenClaims, the default): the app must read
    // userinfo, as with many real providers.
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    findAccount: (_ctx, sub) => {
      const a = accounts.get(sub);
      return a ? { accountId: sub, claims: async () => ({ sub, ...a }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
  });

  async function interaction(req: http.IncomingMessage, res: http.ServerResponse) {
    const p = provider!;
    if (req.method === 'GET') {
      const details = await p.interactionDetails(req, res);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Test provider</title><h1>Test provider sign-in</h1>
<form method="post" action="/interaction/${esc(details.uid)}"><label>Account <input name="login" autofocus></label>
<button type="submit">Sign in at the provider</button> <button type="submit" name="cancel" value="1">Cancel</button></form>`);
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    const details = await p.interactionDetails(req, res);
    if (form.get('cancel')) {
      await p.interactionFinished(req, res, { error: 'access_denied', error_description: 'cancelled' }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = form.get('login') ?? '';
    if (!accounts.has(accountId)) {
      res.statusCode = 401;
      res.end('unknown account');
      return;
    }
    const grant = new p.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await p.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  const t: TestProvider = {
    issuer: '', accounts, nextTokenResponse: null, discoveries: 0,
    async login(authorizationUrl, accountId) {
      const jar = new Map<string, string>();
      const go = async (url: string, init: RequestInit = {}) => {
        const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const i = pair.indexOf('=');
          jar.set(pair.slice(0, i), pair.slice(i + 1));
        }
        return res;
      };
      let res = await go(authorizationUrl);
      for (let hops = 0; hops < 10; hops++) {
        const location = res.headers.get('location');
        if (!location) throw new Error(`provider answered ${res.status} without a redirect: ${await res.text()}`);
        const next = new URL(location, issuer);
        if (next.origin !== issuer) return next; // back to the client
        if (next.pathname.startsWith('/interaction/')) {
          await go(next.href);
          res = await go(next.href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: accountId }).toString() });
        } else {
          res = await go(next.href);
        }
      }
      throw new Error('too many redirects at the provider');
    },
    async tokensFor(client, accountId, nonce) {
      const verifier = 'v'.repeat(43);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const auth = new URL(`${issuer}/auth`);
      for (const [k, v] of Object.entries({ client_id: client.id, redirect_uri: client.redirectUri, response_type: 'code', scope: 'openid email profile', nonce, state: 'test-state', code_challenge: challenge, code_challenge_method: 'S256' })) auth.searchParams.set(k, v);
      const back = await t.login(auth.href, accountId);
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: client.redirectUri, code_verifier: verifier }).toString(),
      });
      if (!res.ok) throw new Error(`token endpoint: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    },
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };

  const server = http.createServer((req, res) => {
    provider ??= build();
    if (req.url === '/.well-known/openid-configuration') t.discoveries++;
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err) => { res.statusCode = 500; res.end(String(err)); });
      return;
    }
    if (req.method === 'POST' && req.url === '/token' && t.nextTokenResponse) {
      const body = JSON.stringify(t.nextTokenResponse);
      t.nextTokenResponse = null;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      return;
    }
    handle ??= provider.callback();
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.issuer = issuer;
  return t;
}

/** A loopback address where nothing listens: a provider that is down. */
export async function deadIssuer(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
