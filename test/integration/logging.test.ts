// What the logs say about a request, read from the real logger at trace level: a request id that the response
// carries too, and no secret anywhere (cookies, Authorization, passwords in forms and JSON, tokens, keys).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/http/logger.ts';
import { TEST_SECRETS } from '../support/app.ts';
import { DIALECTS, migratedDatabase, type TestDb } from '../support/dialects.ts';

type Line = Record<string, unknown> & { msg?: string; req?: { id?: string; url?: string }; res?: { statusCode?: number }; reqId?: string };

function capture() {
  const raw: string[] = [];
  return {
    stream: { write(s: string) { raw.push(s); } },
    text: () => raw.join(''),
    lines: (): Line[] => raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(DIALECTS)('request logs on %s (LOG_LEVEL=trace)', (dialect) => {
  let t: TestDb;
  let app: ReturnType<typeof createApp>;
  const log = capture();
  beforeAll(async () => {
    t = await migratedDatabase(dialect);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'trace', ...TEST_SECRETS, DATABASE_URL: t.url });
    app = createApp({ config, db: t.db, logger: createLogger('trace', log.stream) });
  });
  afterAll(async () => { await t?.drop(); });

  const completed = (id: string) => log.lines().find((l) => l.req?.id === id && /request (completed|errored)/.test(l.msg ?? ''));

  it('returns X-Request-Id and logs the request under it; a safe incoming id is kept, anything else replaced', async () => {
    const plain = await request(app).get('/login');
    const id = plain.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(completed(id)).toMatchObject({ req: { id, method: 'GET', url: '/login' }, res: { statusCode: 200 } });

    const kept = await request(app).get('/login').set('X-Request-Id', 'edge-7f3a_b2');
    expect(kept.headers['x-request-id']).toBe('edge-7f3a_b2');
    expect(completed('edge-7f3a_b2')).toMatchObject({ req: { url: '/login' } });

    for (const bad of ['has spaces in it', '<script>alert(1)</script>', 'x'.repeat(65), 'quote"inside', '']) {
      const res = await request(app).get('/healthz/../login').set('X-Request-Id', bad);
      expect(res.headers['x-request-id'], bad).toMatch(UUID);
      expect(log.text()).not.toContain(bad || '"id":""');
    }
  });

  it('redacts cookies, Authorization, passwords (form and JSON), tokens and keys at trace level', async () => {
    const before = log.lines().length;
    const secrets = {
      cookieToken: 'cookie-token-5ecret-aaaa', sid: 'sid-5ecret-bbbb', bearer: 'bearer-5ecret-cccc',
      formPassword: 'form-pa55word-dddd', jsonPassword: 'json-pa55word-eeee', queryToken: 'query-5ecret-ffff',
      shareCode: 'share-5ecret-gggg', csrf: 'csrf-5ecret-hhhh', apiKey: 'api-key-5ecret-iiii',
    };
    await request(app).get('/login').set('Cookie', `access_token=${secrets.cookieToken}; mc_sid=${secrets.sid}`);
    await request(app).get('/api/threads').set('Authorization', `Bearer ${secrets.bearer}`);
    await request(app).post('/login').type('form').set('X-CSRF-Token', secrets.csrf).send({ email: 'a@example.com', password: secrets.formPassword });
    await request(app).post('/api/auth/email/login').send({ email: 'a@example.com', password: secrets.jsonPassword });
    await request(app).get(`/auth/google/callback?code=x&state=y&token=${secrets.queryToken}`);
    await request(app).get(`/s/${secrets.shareCode}`);
    await request(app).put('/api/settings').set('Authorization', `Bearer ${secrets.bearer}`).send({ apiKey: secrets.apiKey });
    // A real sign-in: its token comes back in the body and a Set-Cookie; neither may reach the log.
    const reg = await request(app).post('/api/auth/email/register').send({ email: `log-${dialect}@example.com`, password: secrets.jsonPassword, name: 'Log' });
    expect(reg.status).toBe(201);
    const issued = String(reg.body.token);
    expect(issued.length).toBeGreaterThan(20);
    await request(app).get('/api/auth/validate').set('Authorization', `Bearer ${issued}`);

    const lines = log.lines().slice(before);
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(lines.some((l) => l.level === 10 || l.level === 20 || l.level === 30)).toBe(true);
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    for (const [name, value] of Object.entries({ ...secrets, issued })) expect(text, name).not.toContain(value);
    expect(text).toContain('/s/[redacted]');
    expect(text).toContain('token=[redacted]');
  });

  it('the logger itself redacts those fields wherever a log call puts them', async () => {
    const out = capture();
    const logger = createLogger('trace', out.stream);
    logger.trace({
      password: 'p1-5ecret', token: 't1-5ecret',
      req: { headers: { cookie: 'c-5ecret', authorization: 'Bearer a-5ecret', 'x-csrf-token': 'x-5ecret' }, body: { password: 'p2-5ecret', _csrf: 'f-5ecret' } },
      res: { headers: { 'set-cookie': 'access_token=s-5ecret' } },
      body: { apiKey: 'k-5ecret', current: 'p3-5ecret', id_token: 'i-5ecret', access_token: 'a2-5ecret' },
    }, 'everything');
    const line = out.text();
    expect(line).toContain('"msg":"everything"');
    expect(line).toContain('[redacted]');
    expect(line).not.toMatch(/5ecret/);
  });

  it('logs a failed request (500) with its request id, the id the response carries', async () => {
    await t.db.destroy();
    const res = await request(app).get('/api/threads').set('Authorization', 'Bearer whatever-5ecret').set('X-Request-Id', 'failing-req-1');
    expect(res.status).toBe(500);
    expect(res.headers['x-request-id']).toBe('failing-req-1');
    const failed = log.lines().find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ reqId: 'failing-req-1', level: 50 });
    expect(completed('failing-req-1')).toMatchObject({ res: { statusCode: 500 } });
    expect(log.text()).not.toContain('whatever-5ecret');
  });
});
