// Single sign-on with OpenID Connect: what the configuration allows, a provider that is down, and no provider at all.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { TEST_SECRETS, testApp } from '../support/app.ts';
import { deadIssuer, OIDC_CLIENT, startOidcProvider, type TestProvider } from '../support/oidc-provider.ts';
import { loadConfig } from '../../src/config.ts';

describe.each(DIALECTS)('OpenID Connect settings on %s', (dialect) => {
  it('a provider that is down gives a clear 502 page; the rest of sign-in keeps working', async () => {
    const t = await testApp(dialect, { OIDC_ISSUER: await deadIssuer(), ...OIDC_CLIENT });
    try {
      const res = await request(t.app).get('/auth/oidc');
      expect(res.status).toBe(502);
      expect(res.text).toMatch(/The single sign-on provider \(127\.0\.0\.1:\d+\) is not answering/);
      expect((await request(t.app).get('/login')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('discovers the provider once it is up (a failure is not cached), then keeps the discovery', async () => {
    const issuer = await deadIssuer();
    const t = await testApp(dialect, { OIDC_ISSUER: issuer, ...OIDC_CLIENT, PUBLIC_URL: 'http://app.test' });
    let op: TestProvider | undefined;
    try {
      expect((await request(t.app).get('/auth/oidc')).status).toBe(502);
      op = await startOidcProvider({ redirectUris: ['http://app.test/auth/oidc/callback'], port: Number(new URL(issuer).port) });
      for (let i = 0; i < 3; i++) {
        const res = await request(t.app).get('/auth/oidc');
        expect(res.status).toBe(303);
        expect(res.headers.location).toMatch(new RegExp(`^${issuer}/auth\\?`));
      }
      expect(op.discoveries).toBe(1);
    } finally {
      await t.close();
      await op?.stop();
    }
  });

  it('not configured: no button, 404 on its routes', async () => {
    const t = await testApp(dialect);
    try {
      expect((await request(t.app).get('/login')).text).not.toContain('/auth/oidc');
      expect((await request(t.app).get('/auth/oidc')).status).toBe(404);
      expect((await request(t.app).get('/auth/oidc/callback?code=x&state=y')).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('OpenID Connect configuration', () => {
  const base = { NODE_ENV: 'test', ...TEST_SECRETS };
  it('refuses a half-configured provider, or a plain-http issuer anywhere but this machine', () => {
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'https://sso.example' })).toThrow(/OIDC_CLIENT_ID must be set/);
    expect(() => loadConfig({ ...base, OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_ISSUER must be set/);
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'http://sso.example', OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_ISSUER="http:\/\/sso.example": must be https/);
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'not a url', OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_ISSUER/);
  });

  it('has defaults for the label, scopes and groups claim', () => {
    const c = loadConfig({ ...base, OIDC_ISSUER: 'http://localhost:8080/realms/x', OIDC_CLIENT_ID: 'x', OIDC_SCOPES: 'openid  email groups' });
    expect(c.oidc).toMatchObject({ scopes: ['openid', 'email', 'groups'], buttonLabel: 'Sign in with single sign-on', groupsClaim: 'groups', clientSecret: undefined });
  });
});
