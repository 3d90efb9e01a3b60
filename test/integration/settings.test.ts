import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createApp } from '../../src/app.ts';
import { createModelCatalogue } from '../../src/features/settings/models.ts';
import { createLogger } from '../../src/http/logger.ts';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';

const GOOD_KEY = 'sk-good-key-abcd1234';
const OTHER_KEY = 'sk-other-key-wxyz9876';

/** Signs a user in and returns a supertest agent with the cookie and a CSRF token for forms. */
async function signedIn(t: TestApp, email: string) {
  const user = await createUser(t.db, { email, name: 'Set Tings' });
  const token = await issueToken(t.db, user.id, { ttlDays: 1 });
  const agent = request.agent(t.app);
  agent.set('Cookie', `access_token=${token}`);
  const page = await agent.get('/settings');
  const csrf = /"X-CSRF-Token": "([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { user, token, agent, csrf, page };
}

describe.each(DIALECTS)('settings on %s', (dialect) => {
  let t: TestApp;
  let fake: FakeMistral;
  beforeAll(async () => {
    fake = await startFakeMistral({ validKeys: [GOOD_KEY, OTHER_KEY] });
    t = await testApp(dialect, { MISTRAL_SERVER_URL: fake.url });
  });
  afterAll(async () => { await t?.close(); await fake?.stop(); });
  beforeEach(() => { fake.reset(); });

  it('needs sign-in: page redirects, API answers 401', async () => {
    const page = await request(t.app).get('/settings');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/login?next=%2Fsettings');
    expect((await request(t.app).get('/api/settings')).status).toBe(401);
  });

  it('saves a valid key sealed, shows only its hint, and never leaks it', async () => {
    const { agent, csrf, user } = await signedIn(t, `key-${dialect}@example.com`);
    const res = await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: GOOD_KEY });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/settings?saved=key');
    // The key was checked against the endpoint with the key itself.
    expect(fake.requests.some((r) => r.path === '/v1/models' && r.headers.authorization === `Bearer ${GOOD_KEY}`)).toBe(true);

    const row = await t.db('user_settings').where({ user_id: user.id }).first();
    expect(row.api_key_encrypted).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain(GOOD_KEY);
    expect(JSON.stringify(row)).not.toContain('abcd1234');
    expect(row.api_key_hint).toBe('••••1234');

    const page = await agent.get('/settings?saved=key');
    expect(page.text).toContain('••••1234');
    expect(page.text).toContain('Your API key was checked and saved.');
    expect(page.text).not.toContain(GOOD_KEY);
    const api = await agent.get('/api/settings');
    expect(api.body).toEqual({ hasApiKey: true, apiKeyHint: '••••1234', keyUnreadable: false, usingServerKey: false,
      defaultModel: 'mistral-small-latest', fastModels: [], defaultContext: '', theme: 'system', defaultTools: [] });
    expect(JSON.stringify(api.body)).not.toContain(GOOD_KEY);
  });

  it('refuses an invalid key with a message, keeps the old one, and says when Mistral is unreachable', async () => {
    const { agent, csrf, user } = await signedIn(t, `bad-${dialect}@example.com`);
    await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: GOOD_KEY }).expect(303);
    const before = await t.db('user_settings').where({ user_id: user.id }).first();

    const bad = await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: 'sk-wrong-key-0000' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Mistral refused this API key');
    expect(bad.text).toContain('••••1234');
    const frag = await agent.post('/settings/api-key').set('HX-Request', 'true').type('form').send({ _csrf: csrf, apiKey: 'sk-wrong-key-0000' });
    expect(frag.status).toBe(422);
    expect(frag.text).not.toContain('<!doctype html>');
    expect(frag.text).toContain('id="key-section"');

    fake.modelsStatus = 503;
    try {
      const down = await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: OTHER_KEY });
      expect(down.status).toBe(422);
      expect(down.text).toContain('could not be reached');
    } finally {
      fake.modelsStatus = 200;
    }
    const shape = await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: 'has spaces in it' });
    expect(shape.status).toBe(422);
    expect(shape.text).toContain('does not look like an API key');

    const after = await t.db('user_settings').where({ user_id: user.id }).first();
    expect(after.api_key_encrypted).toBe(before.api_key_encrypted);

    const json = await agent.put('/api/settings').set('X-CSRF-Token', csrf).send({ apiKey: 'sk-wrong-key-0000' });
    expect(json.status).toBe(422);
    expect(json.body.error.fields.apiKey).toMatch(/refused/);
  });

  it('removes the key, and then says the server key serves the user when there is one', async () => {
    const { agent, csrf, user } = await signedIn(t, `rm-${dialect}@example.com`);
    await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: GOOD_KEY }).expect(303);
    await agent.post('/settings/api-key/remove').type('form').send({ _csrf: csrf }).expect(303);
    const row = await t.db('user_settings').where({ user_id: user.id }).first();
    expect(row.api_key_encrypted).toBeNull();
    const withServer = await testApp(dialect, { MISTRAL_SERVER_URL: fake.url, MISTRAL_API_KEY: OTHER_KEY });
    try {
      const u = await createUser(withServer.db, { email: 'srv@example.com' });
      const tok = await issueToken(withServer.db, u.id, { ttlDays: 1 });
      const page = await request(withServer.app).get('/settings').set('Cookie', `access_token=${tok}`);
      expect(page.text).toContain('this server’s shared key answers for you');
      expect(page.text).not.toContain(OTHER_KEY);
      const api = await request(withServer.app).get('/api/settings').set('Authorization', `Bearer ${tok}`);
      expect(api.body.usingServerKey).toBe(true);
      // The server key lists the models.
      expect(page.text).toContain('magistral-medium-latest');
    } finally {
      await withServer.close();
    }
  });

  it('shows a card per model with context length, capabilities and deprecation', async () => {
    const { agent, csrf } = await signedIn(t, `cards-${dialect}@example.com`);
    await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: GOOD_KEY }).expect(303);
    const page = await agent.get('/settings');
    expect(page.text).toContain('131,072 tokens');
    expect(page.text).toContain('262,144 tokens');
    expect(page.text).toMatch(/magistral-medium-latest[\s\S]*?<span class="badge">reasoning<\/span>/);
    expect(page.text).toMatch(/mistral-small-latest[\s\S]*?<span class="badge">vision<\/span>/);
    expect(page.text).toContain('deprecated 2027-03-01');
    const api = await agent.get('/api/models');
    expect(api.status).toBe(200);
    const magistral = api.body.models.find((m: { id: string }) => m.id === 'magistral-medium-latest');
    expect(magistral).toEqual({ id: 'magistral-medium-latest', name: 'Magistral Medium', description: 'A reasoning model that thinks before it answers.',
      maxContextLength: 40960, capabilities: ['chat', 'function calling', 'reasoning'], deprecation: null });
  });

  it('caches the model list per key for five minutes, then asks again', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const catalogue = createModelCatalogue({ serverUrl: fake.url, configuredModels: [], now: () => clock });
    const app = createApp({ config: t.config, db: t.db, logger: createLogger('silent'), catalogue });
    const user = await createUser(t.db, { email: `cache-${dialect}@example.com` });
    const auth = { Authorization: `Bearer ${await issueToken(t.db, user.id, { ttlDays: 1 })}` };
    const listings = () => fake.requests.filter((r) => r.path === '/v1/models').length;
    await request(app).put('/api/settings').set(auth).send({ apiKey: GOOD_KEY }).expect(200);
    expect(listings()).toBe(1); // the check on save fills the cache
    clock += 5 * 60_000 - 1;
    await request(app).get('/api/models').set(auth).expect(200);
    expect(listings()).toBe(1);
    clock += 1;
    await request(app).get('/api/models').set(auth).expect(200);
    expect(listings()).toBe(2);
    clock += 60_000;
    expect((await request(app).get('/settings').set(auth)).text).toContain('131,072 tokens');
    expect(listings()).toBe(2); // the list fetched at 5:00 is fresh again
  });

  it('adds and removes fast-list models with plain forms and with htmx (card swapped)', async () => {
    const { agent, csrf } = await signedIn(t, `fast-${dialect}@example.com`);
    await agent.post('/settings/api-key').type('form').send({ _csrf: csrf, apiKey: GOOD_KEY }).expect(303);
    const plain = await agent.post('/settings/fast-models').type('form').send({ _csrf: csrf, model: 'mistral-large-latest', action: 'add' });
    expect(plain.status).toBe(303);
    expect(plain.headers.location).toBe('/settings?saved=fast#models');
    const card = await agent.post('/settings/fast-models').set('HX-Request', 'true').type('form')
      .send({ _csrf: csrf, model: 'codestral-latest', action: 'add' });
    expect(card.status).toBe(200);
    expect(card.text.trim()).toMatch(/^<li class="model-card in-fast-list"/);
    expect(card.text).toContain('aria-pressed="true"');
    expect((await agent.get('/api/settings')).body.fastModels).toEqual(['mistral-large-latest', 'codestral-latest']);
    await agent.post('/settings/fast-models').type('form').send({ _csrf: csrf, model: 'mistral-large-latest', action: 'remove' }).expect(303);
    expect((await agent.get('/api/settings')).body.fastModels).toEqual(['codestral-latest']);
    const nonsense = await agent.post('/settings/fast-models').type('form').send({ _csrf: csrf, model: '<script>', action: 'add' });
    expect(nonsense.status).toBe(422);
    expect(nonsense.text).not.toContain('<script>');
  });

  it('saves the default model and context; bad input is 422 and keeps what was typed', async () => {
    const { agent, csrf } = await signedIn(t, `def-${dialect}@example.com`);
    const ok = await agent.post('/settings/defaults').type('form')
      .send({ _csrf: csrf, defaultModel: 'mistral-large-latest', defaultContext: 'Answer like a pirate.' });
    expect(ok.status).toBe(303);
    const page = await agent.get('/settings');
    expect(page.text).toMatch(/<option value="mistral-large-latest" selected>/);
    expect(page.text).toContain('Answer like a pirate.');
    const long = 'x'.repeat(20_001);
    const bad = await agent.post('/settings/defaults').type('form').send({ _csrf: csrf, defaultModel: 'mistral-small-latest', defaultContext: long });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('the limit is 20000');
    expect(bad.text).toContain(long);
    const json = await agent.put('/api/settings').set('X-CSRF-Token', csrf).send({ defaultModel: 'bad model name!' });
    expect(json.status).toBe(422);
    expect(json.body.error.fields.defaultModel).toMatch(/not a model name/);
    expect((await agent.get('/api/settings')).body.defaultModel).toBe('mistral-large-latest');
  });

  it('PUT /api/settings with Bearer needs no CSRF token and updates everything given', async () => {
    const user = await createUser(t.db, { email: `api-${dialect}@example.com` });
    const token = await issueToken(t.db, user.id, { ttlDays: 1 });
    const res = await request(t.app).put('/api/settings').set('Authorization', `Bearer ${token}`)
      .send({ apiKey: GOOD_KEY, defaultModel: 'codestral-latest', fastModels: ['codestral-latest', 'mistral-small-latest'], defaultContext: 'Be brief.' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ hasApiKey: true, apiKeyHint: '••••1234', keyUnreadable: false, usingServerKey: false, defaultModel: 'codestral-latest',
      fastModels: ['codestral-latest', 'mistral-small-latest'], defaultContext: 'Be brief.', theme: 'system', defaultTools: [] });
    const removed = await request(t.app).put('/api/settings').set('Authorization', `Bearer ${token}`).send({ apiKey: '' });
    expect(removed.body.hasApiKey).toBe(false);
    const cookieNoCsrf = await request(t.app).put('/api/settings').set('Cookie', `access_token=${token}`).send({ defaultContext: 'x' });
    expect(cookieNoCsrf.status).toBe(403);
  });

  it('falls back to MISTRAL_MODELS when the endpoint lists none', async () => {
    const t2 = await testApp(dialect, { MISTRAL_SERVER_URL: fake.url, MISTRAL_MODELS: 'local-mistral-7b,local-mixtral' });
    fake.models = [];
    try {
      const u = await createUser(t2.db, { email: 'vllm@example.com' });
      const tok = await issueToken(t2.db, u.id, { ttlDays: 1 });
      const api = await request(t2.app).put('/api/settings').set('Authorization', `Bearer ${tok}`).send({ apiKey: GOOD_KEY });
      expect(api.status).toBe(200);
      const models = await request(t2.app).get('/api/models').set('Authorization', `Bearer ${tok}`);
      expect(models.body.source).toBe('configuration');
      expect(models.body.models.map((m: { id: string }) => m.id)).toEqual(['local-mistral-7b', 'local-mixtral']);
      // A list from the configuration is no limit: any well-formed name may be the default, a self-hosted one too.
      const vllm = 'mistralai/Mistral-Small-3.2-24B-Instruct-2506';
      const put = await request(t2.app).put('/api/settings').set('Authorization', `Bearer ${tok}`).send({ defaultModel: vllm, fastModels: ['other-model@v2'] });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ defaultModel: vllm, fastModels: ['other-model@v2'] });
    } finally {
      fake.reset();
      await t2.close();
    }
  });

  it('works with JavaScript off: every settings form is a plain form with a CSRF field', async () => {
    const { page } = await signedIn(t, `nojs-${dialect}@example.com`);
    const forms = page.text.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? [];
    // The settings forms, and the sidebar's Sign out: every one a plain POST with its CSRF field. The sidebar's search
    // box (issue 15) is the one GET form: it changes nothing, so it carries no token.
    expect(forms.filter((f) => /method="post" action="\/settings\//.test(f)).length).toBeGreaterThanOrEqual(2);
    const gets = forms.filter((f) => /^<form\b[^>]*method="get"/.test(f));
    expect(gets.map((f) => /action="([^"]+)"/.exec(f)?.[1])).toEqual(['/search']);
    for (const f of forms.filter((x) => !gets.includes(x))) {
      expect(f).toMatch(/method="post" action="\/(settings\/|logout")/);
      expect(f).toMatch(/name="_csrf" value="[^"]+"/);
    }
  });
});
