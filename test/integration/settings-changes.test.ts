// How settings change: all or nothing, model names checked against what the key can use, a key sealed under another
// ENCRYPTION_KEY said plainly, and the key never in the logs. Proven through HTTP against the fake upstream.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import type { Generations } from '../../src/features/chat/generation.ts';
import { createLogger } from '../../src/http/logger.ts';
import { readJson, writeJson } from '../../src/lib/json.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { DIALECTS } from '../support/dialects.ts';
import { signIn, waitFor } from '../support/fake-mistral-app.ts';
import { FAKE_MODELS, startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';

const GOOD_KEY = 'sk-good-key-abcd1234';
const OTHER_KEY = 'sk-other-key-wxyz9876';
const WRONG_KEY = 'sk-wrong-key-0000';

describe.each(DIALECTS)('changing settings on %s', (dialect) => {
  let t: TestApp;
  let fake: FakeMistral;
  beforeAll(async () => {
    fake = await startFakeMistral({ validKeys: [GOOD_KEY, OTHER_KEY] });
    t = await testApp(dialect, { MISTRAL_SERVER_URL: fake.url });
  });
  afterAll(async () => { await t?.close(); await fake?.stop(); });
  beforeEach(() => { fake.reset(); });

  let n = 0;
  async function bearer(app = t.app) {
    const user = await createUser(t.db, { email: `chg${++n}-${dialect}@example.com` });
    const auth = { Authorization: `Bearer ${await issueToken(t.db, user.id, { ttlDays: 1 })}` };
    const row = async () => t.db('user_settings').where({ user_id: user.id }).first();
    return { user, auth, row, put: (body: object) => request(app).put('/api/settings').set(auth).send(body) };
  }

  it('PUT /api/settings checks every field before writing any: a refused one leaves the key as it was', async () => {
    const u = await bearer();
    await u.put({ apiKey: OTHER_KEY, defaultContext: 'Old context.' }).expect(200);
    const before = await u.row();
    fake.reset();

    const badName = await u.put({ apiKey: GOOD_KEY, defaultModel: 'bad model!' });
    expect(badName.status).toBe(422);
    expect(badName.body.error.fields.defaultModel).toMatch(/not a model name/);
    // Refused before the key was even checked with Mistral.
    expect(fake.requests.some((r) => r.headers.authorization === `Bearer ${GOOD_KEY}`)).toBe(false);

    const unlisted = await u.put({ apiKey: GOOD_KEY, defaultModel: 'mistral-nonexistent-1' });
    expect(unlisted.status).toBe(422);
    expect(unlisted.body.error.fields.defaultModel).toMatch(/not one of the models your key can use/);

    const removeAndBad = await u.put({ apiKey: '', fastModels: ['<x>'] });
    expect(removeAndBad.status).toBe(422);
    expect(removeAndBad.body.error.fields.fastModels).toBeTruthy();

    const wrongKey = await u.put({ apiKey: WRONG_KEY, defaultContext: 'New context.' });
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.body.error.fields.apiKey).toMatch(/refused/);

    const after = await u.row();
    expect(after.api_key_encrypted).toBe(before.api_key_encrypted);
    expect(after).toMatchObject({ api_key_hint: '••••9876', default_model: null, default_context: 'Old context.' });
    expect((await request(t.app).get('/api/settings').set(u.auth)).body).toMatchObject({ hasApiKey: true, apiKeyHint: '••••9876', fastModels: [] });
  });

  it('a default model or fast-list entry must be one the key lists; names already saved stay acceptable', async () => {
    // The key's list has a model known by an alias too.
    fake.models = [...FAKE_MODELS, { id: 'mistral-medium-3-5', aliases: ['mistral-medium-latest'], capabilities: { completion_chat: true } }];
    const u = await bearer();
    await u.put({ apiKey: GOOD_KEY }).expect(200);
    const fast = await u.put({ fastModels: ['codestral-latest', 'mistral-unknown-9'] });
    expect(fast.status).toBe(422);
    expect(fast.body.error.fields.fastModels).toBe('mistral-unknown-9 is not one of the models your key can use: pick one from the models list.');
    expect(fast.body.error.fields.defaultModel).toBeUndefined();
    expect((await u.put({ defaultModel: 'mistral-unknown-9' })).status).toBe(422);
    expect((await request(t.app).get('/api/settings').set(u.auth)).body.fastModels).toEqual([]);
    const ok = await u.put({ defaultModel: 'mistral-medium-latest', fastModels: ['codestral-latest', 'mistral-medium-3-5'] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ defaultModel: 'mistral-medium-latest', fastModels: ['codestral-latest', 'mistral-medium-3-5'] });

    // A model the key stopped listing does not block saving the rest of the form.
    await t.db('user_settings').where({ user_id: u.user.id }).update({ default_model: 'retired-model', fast_models: writeJson(['retired-model']) });
    const rest = await u.put({ defaultModel: 'retired-model', fastModels: ['retired-model', 'mistral-large-latest'], defaultContext: 'Still here.' });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ defaultModel: 'retired-model', fastModels: ['retired-model', 'mistral-large-latest'], defaultContext: 'Still here.' });
  });

  it('an unlisted model from a plain form re-renders the settings page with the message (422), nothing saved', async () => {
    const s = await signIn(t);
    const form = (path: string, body: object, htmx = false) => {
      const r = request(t.app).post(path).set('Cookie', s.cookie);
      return (htmx ? r.set('HX-Request', 'true') : r).type('form').send({ _csrf: s.csrf, ...body });
    };
    await form('/settings/api-key', { apiKey: GOOD_KEY }).expect(303);
    const defaults = await form('/settings/defaults', { defaultModel: 'mistral-unknown-9', defaultContext: 'Typed and kept.' });
    expect(defaults.status).toBe(422);
    expect(defaults.text).toContain('<h1>Settings</h1>');
    expect(defaults.text).toMatch(/id="defaultModel-error">mistral-unknown-9 is not one of the models your key can use/);
    expect(defaults.text).toContain('Typed and kept.</textarea>');
    const add = await form('/settings/fast-models', { model: 'mistral-unknown-9', action: 'add' });
    expect(add.status).toBe(422);
    expect(add.text).toContain('<h1>Settings</h1>');
    expect(add.text).toMatch(/id="fastModels-error" role="alert">mistral-unknown-9 is not one of the models/);
    const addHtmx = await form('/settings/fast-models', { model: 'mistral-unknown-9', action: 'add' }, true);
    expect(addHtmx.status).toBe(422);
    expect(addHtmx.text).not.toContain('<h1>Settings</h1>');
    const row = await t.db('user_settings').where({ user_id: s.user.id }).first();
    expect(row).toMatchObject({ default_model: null, default_context: null });
    expect(readJson(row.fast_models, null)).toEqual([]);
  });

  it('when the endpoint cannot list models (unreachable), any well-formed name is accepted', async () => {
    const t2 = await testApp(dialect, { MISTRAL_SERVER_URL: fake.url, MISTRAL_API_KEY: GOOD_KEY });
    try {
      fake.modelsStatus = 503;
      const user = await createUser(t2.db, { email: `down-${dialect}@example.com` });
      const auth = { Authorization: `Bearer ${await issueToken(t2.db, user.id, { ttlDays: 1 })}` };
      const res = await request(t2.app).put('/api/settings').set(auth).send({ defaultModel: 'any-model-1', fastModels: ['any-model-2'] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ defaultModel: 'any-model-1', fastModels: ['any-model-2'] });
      expect(fake.requests.filter((r) => r.path === '/v1/models').length).toBeGreaterThan(0);
    } finally { await t2.close(); }
  });
  it('says when a saved key can no longer be read because ENCRYPTION_KEY changed, and takes it again', async () => {
    const user = await createUser(t.db, { email: `rotated-${dialect}@example.com` });
    const auth = { Authorization: `Bearer ${await issueToken(t.db, user.id, { ttlDays: 1 })}` };
    await request(t.app).put('/api/settings').set(auth).send({ apiKey: GOOD_KEY }).expect(200);
    // The same database served by a configuration with another ENCRYPTION_KEY, without and then with a server key.
    const rotated = { ...t.config, encryptionKey: Buffer.alloc(32, 7) };
    for (const serverKey of [undefined, OTHER_KEY]) {
      const app = createApp({ config: { ...rotated, mistral: { ...rotated.mistral, apiKey: serverKey } }, db: t.db, logger: createLogger('silent') });
      const page = await request(app).get('/settings').set(auth);
      expect(page.text).toContain('can no longer be read');
      expect(page.text).toContain('ENCRYPTION_KEY');
      expect(page.text).toContain('Please enter your key again');
      expect(page.text).not.toContain('Requests use it');
      expect(page.text).toContain(serverKey ? 'shared key answers for you' : 'your messages cannot be answered');
      const api = await request(app).get('/api/settings').set(auth);
      expect(api.body).toMatchObject({ hasApiKey: false, keyUnreadable: true, apiKeyHint: '••••1234', usingServerKey: Boolean(serverKey) });
    }
    const app = createApp({ config: rotated, db: t.db, logger: createLogger('silent') });
    const again = await request(app).put('/api/settings').set(auth).send({ apiKey: GOOD_KEY });
    expect(again.body).toMatchObject({ hasApiKey: true, keyUnreadable: false });
    expect((await request(app).get('/settings').set(auth)).text).toContain('Requests use it');
    // Under the old configuration it is now the unreadable one: each server reads only what it sealed.
    expect((await request(t.app).get('/api/settings').set(auth)).body.keyUnreadable).toBe(true);
  });


  it('never writes a key to the logs at trace level: settings forms and JSON, and answers failing upstream (401, 500)', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (l: string) => { lines.push(l); } });
    const app = createApp({ config: t.config, db: t.db, logger });
    try {
      const s = await signIn({ ...t, app });
      const form = (apiKey: string) => request(app).post('/settings/api-key').set('Cookie', s.cookie).type('form').send({ _csrf: s.csrf, apiKey });
      await form(WRONG_KEY).expect(422);
      await form(GOOD_KEY).expect(303);
      const api = { Authorization: `Bearer ${s.token}` };
      await request(app).put('/api/settings').set(api).send({ apiKey: OTHER_KEY }).expect(200);
      await request(app).put('/api/settings').set(api).send({ apiKey: WRONG_KEY }).expect(422);
      await request(app).put('/api/settings').set(api).send({ apiKey: GOOD_KEY }).expect(200);

      const thread = (await request(app).post('/api/thread').set(api).send({}).expect(201)).body.thread.id;
      for (const status of [401, 500]) {
        fake.enqueue({ status });
        const sent = await request(app).post(`/api/thread/${thread}/messages`).set(api).send({ content: `fails with ${status}` }).expect(202);
        await waitFor(async () => (await t.db('messages').where({ id: sent.body.reply.id }).first())?.status === 'error');
      }
      // The answers really went up with the user's key, and their failures were logged.
      expect(fake.chatRequests.map((r) => r.headers.authorization)).toEqual([`Bearer ${GOOD_KEY}`, `Bearer ${GOOD_KEY}`]);
      expect(lines.filter((l) => l.includes('upstream failed'))).toHaveLength(2);
      expect(lines.some((l) => l.includes('/settings/api-key'))).toBe(true);
      const all = lines.join('\n');
      for (const secret of [GOOD_KEY, OTHER_KEY, WRONG_KEY, s.token]) expect(all).not.toContain(secret);
    } finally {
      await (app.locals.generations as Generations).shutdown();
    }
  });
});
