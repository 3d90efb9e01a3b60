import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';

describe.each(DIALECTS)('demo seed on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('creates a demo user who can sign in, and can run twice', async () => {
    await t.db.seed.run();
    await t.db.seed.run();
    expect(await t.db('users').where({ email: 'demo@example.com' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    const res = await request(t.app).post('/api/auth/email/login').send({ email: 'demo@example.com', password: 'demo-password' });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe('demo@example.com');
    expect(await t.db('messages').count({ n: '*' }).first()).toMatchObject({ n: 2 });
  });
});
