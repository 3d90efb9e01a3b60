import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';

// An address of this machine that is not loopback: a connection to it comes from it, so its socket is not loopback.
const outsideAddress = Object.values(os.networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;
if (!outsideAddress) console.log('SKIPPED: the non-loopback connection test needs a non-loopback IPv4 address on this machine, and there is none.');

async function withApp(dialect: Parameters<typeof testApp>[0], env: Record<string, string>, fn: (t: TestApp) => Promise<void>) {
  const t = await testApp(dialect, env);
  try { await fn(t); } finally { await t.close(); }
}

describe.each(DIALECTS)('trusted header sign-in on %s', (dialect) => {
  it('signs in (creating the user) as the header email when the connection comes from a trusted proxy', async () => {
    await withApp(dialect, { TRUSTED_AUTH_HEADER: 'Remote-Email', TRUST_PROXY: 'loopback' }, async (t) => {
      const page = await request(t.app).get('/account').set('Remote-Email', ' Boss@Corp.example ');
      expect(page.status).toBe(200);
      expect(page.text).toContain('boss@corp.example');
      const api = await request(t.app).get('/api/user').set('Remote-Email', 'boss@corp.example');
      expect(api.body).toMatchObject({ email: 'boss@corp.example' });
      expect(await t.db('users').where({ email: 'boss@corp.example' }).count({ n: '*' })).toEqual([{ n: 1 }]);
      // The proxy speaks for the request: it wins over a cookie another person left in the browser.
      const other = await createUser(t.db, { email: 'other@corp.example' });
      const token = await issueToken(t.db, other.id, { ttlDays: 1 });
      const mixed = await request(t.app).get('/api/user').set('Cookie', `access_token=${token}`).set('Remote-Email', 'boss@corp.example');
      expect(mixed.body.email).toBe('boss@corp.example');
      // A header that is not an email address signs nobody in.
      expect((await request(t.app).get('/api/user').set('Remote-Email', 'not an email')).status).toBe(401);
      expect((await request(t.app).get('/api/user')).status).toBe(401);
    });
  });

  it('ignores the header from an address the trust-proxy setting does not trust, even with X-Forwarded-For', async () => {
    const envs: Array<Record<string, string>> = [{ TRUSTED_AUTH_HEADER: 'Remote-Email' }, { TRUSTED_AUTH_HEADER: 'Remote-Email', TRUST_PROXY: '10.0.0.0/8' }];
    for (const env of envs) {
      await withApp(dialect, env, async (t) => {
        const res = await request(t.app).get('/account').set('Remote-Email', 'boss@corp.example').set('X-Forwarded-For', '10.1.2.3');
        expect(res.status, JSON.stringify(env)).toBe(302);
        expect(res.headers.location).toBe('/login?next=%2Faccount');
        expect((await request(t.app).get('/api/user').set('Remote-Email', 'boss@corp.example')).status).toBe(401);
        expect(await t.db('users').count({ n: '*' })).toEqual([{ n: 0 }]);
      });
    }
  });

  it.skipIf(!outsideAddress)('with TRUST_PROXY=loopback, ignores the header on a connection that is not from loopback', async () => {
    await withApp(dialect, { TRUSTED_AUTH_HEADER: 'Remote-Email', TRUST_PROXY: 'loopback' }, async (t) => {
      const server = http.createServer(t.app);
      await new Promise<void>((resolve) => server.listen(0, outsideAddress, resolve));
      try {
        const base = `http://${outsideAddress}:${(server.address() as AddressInfo).port}`;
        const res = await request(base).get('/api/user').set('Remote-Email', 'ceo@corp.example').set('X-Forwarded-For', '127.0.0.1');
        expect(res.status).toBe(401);
        const page = await request(base).get('/account').set('Remote-Email', 'ceo@corp.example');
        expect(page.status).toBe(302);
        expect(await t.db('users').count({ n: '*' })).toEqual([{ n: 0 }]);
        // The same request over loopback is believed: the difference is the socket's address, nothing else.
        expect((await request(t.app).get('/api/user').set('Remote-Email', 'ceo@corp.example')).body.email).toBe('ceo@corp.example');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('ignores the header entirely when TRUSTED_AUTH_HEADER is not set, and honours a custom header name', async () => {
    await withApp(dialect, { TRUST_PROXY: 'loopback' }, async (t) => {
      expect((await request(t.app).get('/api/user').set('Remote-Email', 'boss@corp.example')).status).toBe(401);
      expect((await request(t.app).get('/api/user').set('X-Remote-User', 'boss@corp.example')).status).toBe(401);
    });
    await withApp(dialect, { TRUSTED_AUTH_HEADER: 'X-Remote-User', TRUST_PROXY: 'loopback' }, async (t) => {
      expect((await request(t.app).get('/api/user').set('Remote-Email', 'boss@corp.example')).status).toBe(401);
      expect((await request(t.app).get('/api/user').set('X-Remote-User', 'boss@corp.example')).body.email).toBe('boss@corp.example');
    });
  });
});
