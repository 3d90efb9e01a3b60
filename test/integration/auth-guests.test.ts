import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { purgeAuthData } from '../../src/maintenance.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { csrfOf } from '../support/forms.ts';


async function withApp(dialect: Parameters<typeof testApp>[0], env: Record<string, string>, fn: (t: TestApp) => Promise<void>) {
  const t = await testApp(dialect, env);
  try { await fn(t); } finally { await t.close(); }
}

async function addThread(t: TestApp, userId: number, id: string) {
  const now = new Date();
  await t.db('threads').insert({ id, user_id: userId, title: 'Guest chat', created_at: now, updated_at: now });
}

async function startGuest(t: TestApp, next = '/') {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  expect(page.text).toContain('Continue as guest');
  const res = await agent.post('/auth/guest').type('form').send({ _csrf: csrfOf(page.text), next });
  return { agent, res };
}

describe.each(DIALECTS)('guests on %s', (dialect) => {
  it('offers no guest access unless ALLOW_GUESTS=true', async () => {
    await withApp(dialect, {}, async (t) => {
      const agent = request.agent(t.app);
      const page = await agent.get('/login');
      expect(page.text).not.toContain('Continue as guest');
      const res = await agent.post('/auth/guest').type('form').send({ _csrf: csrfOf(page.text) });
      expect(res.status).toBe(404);
      expect(await t.db('users').count({ n: '*' })).toEqual([{ n: 0 }]);
    });
  });

  it('tells a guest on the home page that their chats are deleted after GUEST_TTL_HOURS, with a way to keep them', async () => {
    await withApp(dialect, { ALLOW_GUESTS: 'true', GUEST_TTL_HOURS: '6' }, async (t) => {
      const { agent } = await startGuest(t);
      const home = await agent.get('/');
      expect(home.status).toBe(200);
      const guest = await t.db('users').first();
      const until = new Date(guest.guest_expires_at instanceof Date ? guest.guest_expires_at : Number(guest.guest_expires_at));
      expect(home.text).toContain(`your chats are deleted 6 hours after you arrived (${until.toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
      expect(home.text).toMatch(/<a href="\/register">Create an account<\/a> to keep them/);
      // Registered, the notice is gone.
      const reg = await agent.get('/register');
      await agent.post('/register').type('form').send({ _csrf: csrfOf(reg.text), email: 'kept@example.com', password: 'a long enough secret 42', name: '' });
      expect((await agent.get('/')).text).not.toContain('as a guest');
    });
  });

  it('lets a visitor continue as a guest with an expiry, then register keeping their threads', async () => {
    await withApp(dialect, { ALLOW_GUESTS: 'true', GUEST_TTL_HOURS: '2' }, async (t) => {
      const { agent, res } = await startGuest(t, '/account');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
      const guest = await t.db('users').first();
      const ttl = new Date(guest.guest_expires_at instanceof Date ? guest.guest_expires_at : Number(guest.guest_expires_at)).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(1.9 * 3600 * 1000);
      expect(ttl).toBeLessThanOrEqual(2 * 3600 * 1000);
      await addThread(t, guest.id, 'guestthread0001');
      const account = await agent.get('/account');
      expect(account.text).toContain('as a guest');
      expect(account.text).not.toContain('Delete my account');

      const reg = await agent.get('/register');
      expect(reg.text).toContain('Your guest chats stay with your new account.');
      const done = await agent.post('/register').type('form').send({ _csrf: csrfOf(reg.text), email: 'kept@example.com', password: 'kept-password', name: 'Kim' });
      expect(done.status).toBe(303);
      const user = await t.db('users').where({ email: 'kept@example.com' }).first();
      expect(user.id).toBe(guest.id);
      expect(user.guest_expires_at).toBeNull();
      expect(await t.db('threads').where({ user_id: user.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
      expect(await t.db('users').count({ n: '*' })).toEqual([{ n: 1 }]);
      const after = await agent.get('/account');
      expect(after.text).toContain('kept@example.com');
      // Registered accounts are never purged as guests.
      await purgeAuthData(t.db);
      expect(await t.db('users').where({ id: user.id }).first()).toBeDefined();
    });
  });

  it('signs out an expired guest at once, and the purge removes the guest and their threads', async () => {
    await withApp(dialect, { ALLOW_GUESTS: 'true' }, async (t) => {
      const { agent: expired } = await startGuest(t);
      const { agent: fresh } = await startGuest(t);
      const member = await createUser(t.db, { email: 'member@example.com' });
      await addThread(t, member.id, 'memberthread001');
      const [old, young] = await t.db('users').whereNotNull('guest_expires_at').orderBy('id');
      await addThread(t, old.id, 'oldguestthread1');
      await addThread(t, young.id, 'newguestthread1');
      await t.db('users').where({ id: old.id }).update({ guest_expires_at: new Date(Date.now() - 1000) });
      expect((await expired.get('/account')).status).toBe(302);
      expect((await fresh.get('/account')).status).toBe(200);
      const purged = await purgeAuthData(t.db);
      expect(purged.guests).toBe(1);
      expect(await t.db('users').where({ id: old.id }).first()).toBeUndefined();
      expect(await t.db('threads').where({ id: 'oldguestthread1' }).first()).toBeUndefined();
      expect(await t.db('access_tokens').where({ user_id: old.id }).first()).toBeUndefined();
      expect(await t.db('threads').whereIn('id', ['newguestthread1', 'memberthread001']).count({ n: '*' })).toEqual([{ n: 2 }]);
    });
  });
});
