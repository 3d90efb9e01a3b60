// Issue 9, findings 1, 2 and 6: an email is one key (one normalisation, compared exactly on both dialects), checking
// it costs linear time, and a password that anyone would guess first is refused with a reason.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { googleKey, googleTestApp, signIdToken, type GoogleKey } from '../support/google.ts';
import { formAgent } from '../support/forms.ts';
import { stallOf } from '../support/adversarial.ts';
import { isEmailAddress, normalizeEmail } from '../../src/features/auth/users.repo.ts';

const ALICE = 'alice@example.test';
const PASSWORD = 'alice-owns-this-1';
// Other spellings a case- and accent-insensitive collation takes for alice's address.
const LOOKALIKES = ['àlice@example.test', 'alice@exämple.test', 'ALÍCE@example.test', 'alicé@example.test', 'alice@example.tést', 'ålice@example.test'];

describe('email addresses, in one form', () => {
  it('is trimmed, NFC-normalised and lower-cased, and nothing else is folded', () => {
    expect(normalizeEmail('  Ana@Example.COM ')).toBe('ana@example.com');
    expect(normalizeEmail('A\u0300lice@x.test')).toBe('\u00e0lice@x.test'); // "a" + combining grave = "à"
    expect(normalizeEmail('àlice@x.test')).not.toBe(normalizeEmail('alice@x.test'));
  });
  it('is checked in linear time, however it is built', () => {
    for (const n of [20_000, 100_000]) expect(isEmailAddress(`a@${'.'.repeat(n)}@`)).toBe(false);
    expect(isEmailAddress('name@example.com')).toBe(true);
    for (const bad of ['name@example', 'name@.com', 'name@example.', 'a b@example.com', 'a@b@example.com', '@example.com']) expect(isEmailAddress(bad)).toBe(false);
  });
});

describe.each(DIALECTS)('email identity and passwords on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(dialect);
    const res = await request(t.app).post('/api/auth/email/register').send({ email: ALICE, password: PASSWORD });
    expect(res.status).toBe(201);
  });
  afterAll(async () => { await t?.close(); });

  const login = (email: string, password = PASSWORD) => request(t.app).post('/api/auth/email/login').set('X-Forwarded-For', '203.0.113.9').send({ email, password });

  it('a signed-out registration of "a@" + 100,000 dots + "@" is refused without stalling the server (JSON and form)', async () => {
    const email = `a@${'.'.repeat(100_000)}@`;
    let json!: request.Response;
    expect(await stallOf(async () => { json = await request(t.app).post('/api/auth/email/register').send({ email, password: 'long-enough-1' }); }, 200)).toBeLessThan(200);
    expect(json.status).toBe(422);
    expect(json.body.error.fields.email).toBe('That email address is too long.');
    const { agent, csrf } = await formAgent(t, '/register');
    let form!: request.Response;
    expect(await stallOf(async () => { form = await agent.post('/register').type('form').send({ _csrf: csrf, email, password: 'long-enough-1' }); }, 200)).toBeLessThan(200);
    expect(form.status).toBe(422);
    expect(form.text).toContain('That email address is too long.');
  });

  it('signs in only with the exact address (any case), never with an accented look-alike', async () => {
    expect((await login(' ALICE@Example.Test ')).status).toBe(200);
    for (const other of LOOKALIKES) {
      const res = await login(other);
      expect(res.status, other).toBe(401);
    }
  });

  it('counts failures for the address itself, so look-alikes do not add guesses beyond the lock-out', async () => {
    const victim = 'victor@example.test';
    expect((await request(t.app).post('/api/auth/email/register').send({ email: victim, password: 'victor-owns-this-1' })).status).toBe(201);
    const spellings = ['victor@example.test', 'VICTOR@example.test', ' Victor@Example.test', 'victor@EXAMPLE.test', 'vIctor@example.test'];
    for (const s of spellings) expect((await login(s, 'wrong-guess-here')).status).toBe(401);
    // The sixth guess, in any spelling that reaches the account, is refused before the password is looked at.
    expect((await login('Victor@example.test', 'victor-owns-this-1')).status).toBe(429);
    // A look-alike is another (non-existent) account: it has its own counter, but it cannot reach victor's row.
    expect((await login('vìctor@example.test', 'victor-owns-this-1')).status).toBe(401);
  });

  it('lets a look-alike register as a separate account, and NFD/NFC spellings reach the same one', async () => {
    const accented = await request(t.app).post('/api/auth/email/register').send({ email: 'àlice@example.test', password: 'another-person-1' });
    expect(accented.status).toBe(201);
    expect(accented.body.user.email).toBe('àlice@example.test');
    const alice = await t.db('users').where({ email: ALICE }).first();
    expect(accented.body.user.id).not.toBe(alice.id);
    // The same text typed with a combining accent is the same address.
    const decomposed = await login('a\u0300lice@example.test', 'another-person-1');
    expect(decomposed.status).toBe(200);
    expect(decomposed.body.user.id).toBe(accented.body.user.id);
    expect((await login('àlice@example.test', PASSWORD)).status).toBe(401);
  });

  it('refuses common passwords, the email or its local part, and spaces, saying why in the form', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['weak1@example.test', 'password', /most common passwords/],
      ['weak2@example.test', '12345678', /most common passwords/],
      ['weak3@example.test', 'Sunshine1', /most common passwords/],
      ['weak4@example.test', '        ', /only spaces/],
      ['weak5@example.test', 'Weak5@Example.test', /email address/],
      ['weakling@example.test', 'weakling', /email address/],
    ];
    for (const [email, password, why] of cases) {
      const res = await request(t.app).post('/api/auth/email/register').send({ email, password });
      expect(res.status, password).toBe(422);
      expect(res.body.error.fields.password).toMatch(why);
      expect(await t.db('users').where({ email }).first()).toBeUndefined();
    }
    const { agent, csrf } = await formAgent(t, '/register');
    const form = await agent.post('/register').type('form').send({ _csrf: csrf, email: 'keep@example.test', password: 'qwerty123' });
    expect(form.status).toBe(422);
    expect(form.text).toContain('This is one of the most common passwords');
    expect(form.text).toContain('value="keep@example.test"');
  });

  it('refuses a weak new password on the account page too', async () => {
    const { token } = (await login(ALICE)).body;
    const page = await request(t.app).get('/account').set('Cookie', `access_token=${token}`);
    const sid = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
    const change = await request(t.app).post('/account/password').set('Cookie', `access_token=${token}; ${sid}`).type('form')
      .send({ _csrf: /"X-CSRF-Token": "([^"]+)"/.exec(page.text)![1], current: PASSWORD, password: 'iloveyou' });
    expect(change.status).toBe(422);
    expect(change.text).toContain('This is one of the most common passwords');
    expect((await login(ALICE)).status).toBe(200);
  });
});

describe.each(DIALECTS)('trusted-header and Google sign-in compare addresses exactly on %s', (dialect) => {
  it('a trusted header with a look-alike address is another user, never alice', async () => {
    const t = await testApp(dialect, { TRUSTED_AUTH_HEADER: 'Remote-Email', TRUST_PROXY: 'loopback' });
    try {
      const alice = (await request(t.app).get('/api/user').set('Remote-Email', ALICE)).body;
      const other = await request(t.app).get('/api/user').set('Remote-Email', 'àlice@example.test');
      expect(other.status).toBe(200);
      expect(other.body.id).not.toBe(alice.id);
      expect((await request(t.app).get('/api/user').set('Remote-Email', 'ALICE@example.test')).body.id).toBe(alice.id);
    } finally { await t.close(); }
  });

  it('a Google profile with a look-alike address does not collide with alice\'s account', async () => {
    const key: GoogleKey = googleKey();
    const t = await googleTestApp(dialect, { google: { certs: { [key.kid]: key.publicPem } } });
    try {
      expect((await request(t.app).post('/api/auth/email/register').send({ email: ALICE, password: PASSWORD })).status).toBe(201);
      const post = (sub: string, email: string) => request(t.app).post('/api/auth/google/token').send({ id_token: signIdToken(key, { sub, email }) });
      expect((await post('g-same', 'Alice@Example.test')).status).toBe(409); // her address: linking happens only from her account
      const lookalike = await post('g-other', 'àlice@example.test');
      expect(lookalike.status).toBe(200);
      expect(lookalike.body.user.email).toBe('àlice@example.test');
    } finally { await t.close(); }
  });
});
