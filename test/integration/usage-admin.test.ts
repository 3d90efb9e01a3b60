// The admins' usage (issue 16): everyone's month as a page (paged), CSV (escaped, formula-safe) and JSON; anyone
// else gets the 404 an unknown address gets.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { signIn, type Session } from '../support/fake-mistral-app.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { csvCell } from '../../src/features/usage/csv.ts';
import { ADMIN_USAGE_PAGE } from '../../src/features/usage/admin-usage.routes.ts';

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell('plain@example.com')).toBe('plain@example.com');
    expect(csvCell('a,b@example.com')).toBe('"a,b@example.com"');
    expect(csvCell('say "hi"@x')).toBe('"say ""hi""@x"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) expect(csvCell(f)).toBe(`'${f}`);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
  });
});

describe.each(DIALECTS)('admin usage on %s', (dialect) => {
  let t: TestApp;
  let admin: Session;
  let user: Session;
  const ADMIN = `admin-usage-${dialect}@example.com`;
  const MONTH = '2026-10';
  beforeAll(async () => {
    t = await testApp(dialect, { ADMIN_EMAILS: ADMIN, MONTHLY_TOKEN_QUOTA: '5000' });
    admin = await signIn(t, ADMIN, { emailVerified: true });
    user = await signIn(t);
    const row = (id: number, model: string, p: number, c: number, server = p + c, month = MONTH) =>
      ({ user_id: id, month, model, prompt_tokens: p, completion_tokens: c, connector_tokens: 0, server_key_tokens: server, answers: 1 });
    const evil = await createUser(t.db, { email: '=cmd|calc@example.com' });
    const quoted = await createUser(t.db, { email: 'a,"b"@example.com' });
    await t.db('users').where({ id: quoted.id }).update({ monthly_token_quota: -1 });
    await t.db('usage_monthly').insert([
      row(user.user.id, 'mistral-small-latest', 100, 10), row(user.user.id, 'mistral-large-latest', 200, 20, 0),
      row(evil.id, 'mistral-small-latest', 5, 1), row(quoted.id, 'mistral-small-latest', 1000, 1),
      row(user.user.id, 'mistral-small-latest', 99_999, 1, 0, '2026-09'),
    ]);
  });
  afterAll(async () => { await t?.close(); });

  it('404 for anyone but an admin: page, CSV, JSON, quota page', async () => {
    for (const path of ['/admin/usage', `/admin/usage.csv?month=${MONTH}`, '/api/admin/usage', `/admin/users/${user.user.id}/quota`]) {
      expect((await request(t.app).get(path).set('Cookie', user.cookie)).status, path).toBe(404);
      expect((await request(t.app).get(path).set({ Authorization: `Bearer ${user.token}` })).status, path).toBe(404);
      expect((await request(t.app).get(path)).status, path).toBe(404);
    }
  });

  it('JSON: every user of the month, most first, and the total', async () => {
    const res = await request(t.app).get(`/api/admin/usage?month=${MONTH}`).set({ Authorization: `Bearer ${admin.token}` });
    expect(res.status).toBe(200);
    expect(res.body.month).toBe(MONTH);
    expect(res.body.users.map((u: { email: string }) => u.email)).toEqual(['a,"b"@example.com', user.user.email, '=cmd|calc@example.com']);
    expect(res.body.users[1]).toMatchObject({ id: user.user.id, promptTokens: 300, completionTokens: 30, serverKeyTokens: 110, quota: 5000 });
    expect(res.body.users[0].quota).toBeNull();
    expect(res.body.total).toMatchObject({ promptTokens: 1305, completionTokens: 32, users: 3, answers: 4 });
    expect(res.body.nextPage).toBeNull();
    expect((await request(t.app).get('/api/admin/usage?month=26-1').set({ Authorization: `Bearer ${admin.token}` })).status).toBe(422);
  });

  it('the page: a table with the total and a link to each quota, escaped', async () => {
    const res = await request(t.app).get(`/admin/usage?month=${MONTH}`).set('Cookie', admin.cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Usage, October 2026');
    expect(res.text).toContain('a,&#34;b&#34;@example.com');
    expect(res.text).toMatch(/<th scope="row">Total<\/th><td>1,305<\/td><td>32<\/td>/);
    expect(res.text).toContain(`href="/admin/users/${user.user.id}/quota"`);
    expect(res.text).toContain(`href="/admin/usage.csv?month=${MONTH}"`);
    expect(res.text).toContain('href="/admin/usage?month=2026-09"');
    const empty = await request(t.app).get('/admin/usage?month=2020-01').set('Cookie', admin.cookie);
    expect(empty.text).toContain('No tokens were used in January 2020');
  });

  it('the CSV: a header, one line per user, formulas defused', async () => {
    const res = await request(t.app).get(`/admin/usage.csv?month=${MONTH}`).set('Cookie', admin.cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="usage-${MONTH}.csv"`);
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe('month,user_id,email,prompt_tokens,completion_tokens,connector_tokens,server_key_tokens,answers,monthly_quota');
    expect(lines.slice(1, 4)).toEqual([
      expect.stringMatching(/^2026-10,\d+,"a,""b""@example.com",1000,1,0,1001,1,unlimited$/),
      `2026-10,${user.user.id},${user.user.email},300,30,0,110,2,5000`,
      expect.stringMatching(/^2026-10,\d+,'=cmd\|calc@example.com,5,1,0,6,1,5000$/),
    ]);
    expect(lines[4]).toBe('');
  });

  it(`pages past ${ADMIN_USAGE_PAGE} users`, async () => {
    const month = '2026-08';
    const ids: number[] = [];
    for (let i = 0; i < ADMIN_USAGE_PAGE + 3; i++) ids.push((await createUser(t.db, { email: `many-${i}-${dialect}@example.com` })).id);
    await t.db('usage_monthly').insert(ids.map((id, i) => ({ user_id: id, month, model: 'm', prompt_tokens: 1000 - i, completion_tokens: 0, server_key_tokens: 0, answers: 1 })));
    const first = await request(t.app).get(`/admin/usage?month=${month}`).set('Cookie', admin.cookie);
    expect(first.text.match(/<th scope="row">many-/g)).toHaveLength(ADMIN_USAGE_PAGE);
    expect(first.text).toContain(`href="/admin/usage?month=${month}&amp;page=2"`);
    const second = await request(t.app).get(`/admin/usage?month=${month}&page=2`).set('Cookie', admin.cookie);
    expect(second.text.match(/<th scope="row">many-/g)).toHaveLength(3);
    expect(second.text).toContain(`many-${ADMIN_USAGE_PAGE + 2}-${dialect}@example.com`);
    const csv = await request(t.app).get(`/admin/usage.csv?month=${month}`).set('Cookie', admin.cookie);
    expect(csv.text.trim().split('\r\n')).toHaveLength(ADMIN_USAGE_PAGE + 4);
  });
});
