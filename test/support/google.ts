// A stand-in for Google in tests: a local RSA key that signs real RS256 id_tokens, and a fake OAuth server on
// loopback (token endpoint with PKCE checks, PEM certificates). The app's real verification code runs against it.
import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Dialect } from '../../src/db.ts';
import type { GoogleEndpoints } from '../../src/features/auth/google.ts';
import { createLogger } from '../../src/http/logger.ts';
import { TEST_SECRETS, type TestApp } from './app.ts';
import { migratedDatabase } from './dialects.ts';

export const TEST_GOOGLE_CLIENT = { GOOGLE_CLIENT_ID: 'test-client.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'test-client-secret' };
export const GOOGLE_ISSUER = 'https://accounts.google.com';

export type GoogleKey = { kid: string; privateKey: KeyObject; publicPem: string };

export function googleKey(kid = 'test-key-1'): GoogleKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const b64url = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

/** A signed id_token with sensible valid claims; override any of them. */
export function signIdToken(key: GoogleKey, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: GOOGLE_ISSUER, aud: TEST_GOOGLE_CLIENT.GOOGLE_CLIENT_ID, sub: '1000001', email: 'gina@example.com',
    email_verified: true, name: 'Gina Google', iat: now - 10, exp: now + 3600, ...claims,
  };
  const head = b64url({ alg: 'RS256', typ: 'JWT', kid: key.kid });
  const body = b64url(payload);
  const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key.privateKey);
  return `${head}.${body}.${b64url(sig)}`;
}

type Grant = { challenge: string; redirectUri: string; claims: Record<string, unknown> };

export type FakeGoogle = {
  url: string;
  endpoints: { authUrl: string; tokenUrl: string; certsUrl: string };
  /** What Google would do after consent: remember a code bound to the PKCE challenge and redirect URI. */
  grant(code: string, grant: Grant): void;
  exchanges: Array<Record<string, string>>;
  close(): Promise<void>;
};

export async function startFakeGoogle(key: GoogleKey): Promise<FakeGoogle> {
  const grants = new Map<string, Grant>();
  const exchanges: Array<Record<string, string>> = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/certs') return send(200, { [key.kid]: key.publicPem });
      if (req.method !== 'POST' || req.url !== '/token') return send(404, { error: 'not_found' });
      const form = Object.fromEntries(new URLSearchParams(raw));
      exchanges.push(form);
      const g = grants.get(form.code);
      grants.delete(form.code);
      const challenge = form.code_verifier ? createHash('sha256').update(form.code_verifier).digest('base64url') : '';
      if (!g || form.grant_type !== 'authorization_code' || form.client_id !== TEST_GOOGLE_CLIENT.GOOGLE_CLIENT_ID
        || form.client_secret !== TEST_GOOGLE_CLIENT.GOOGLE_CLIENT_SECRET || form.redirect_uri !== g.redirectUri
        || challenge !== g.challenge) {
        return send(400, { error: 'invalid_grant', error_description: 'Bad Request' });
      }
      send(200, { access_token: 'ya29.fake', token_type: 'Bearer', expires_in: 3599, scope: 'openid email profile', id_token: signIdToken(key, g.claims) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    endpoints: { authUrl: `${url}/auth`, tokenUrl: `${url}/token`, certsUrl: `${url}/certs` },
    grant: (code, g) => { grants.set(code, g); },
    exchanges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The real app with Google configured and its endpoints (and optionally fixed certificates) replaced. */
export async function googleTestApp(dialect: Dialect, opts: { env?: Record<string, string>; google: GoogleEndpoints }): Promise<TestApp> {
  const t = await migratedDatabase(dialect);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...TEST_SECRETS, ...TEST_GOOGLE_CLIENT, DATABASE_URL: t.url, ...opts.env });
  const app = createApp({ config, db: t.db, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), google: opts.google });
  return { ...t, app, config, close: () => t.drop() };
}
