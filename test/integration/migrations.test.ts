import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, deleteUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { readJson, writeJson } from '../../src/lib/json.ts';
import { toDate } from '../../src/lib/time.ts';
import { DIALECTS, freshDatabase, type TestDb } from '../support/dialects.ts';

const TABLES = ['users', 'access_tokens', 'sessions', 'threads', 'messages', 'user_settings', 'shares'];

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => { t = await freshDatabase(dialect); });
  afterAll(async () => { await t?.drop(); });

  it('up creates every table, down removes them all, up again works', async () => {
    await t.db.migrate.latest();
    for (const name of TABLES) expect(await t.db.schema.hasTable(name), name).toBe(true);
    await t.db.migrate.rollback(undefined, true);
    for (const name of TABLES) expect(await t.db.schema.hasTable(name), name).toBe(false);
    await t.db.migrate.latest();
    const [, pending] = await t.db.migrate.list();
    expect(pending).toEqual([]);
  });

  it('stores utf8mb4 text, dates and JSON the same way on both dialects', async () => {
    const user = await createUser(t.db, { email: ' Ünïcode@Example.COM ', name: 'Zoë 🦊' });
    expect(user.email).toBe('ünïcode@example.com');
    expect(user.name).toBe('Zoë 🦊');
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const now = new Date();
    await t.db('threads').insert({ id: 'thread-aaaaaaaaaa', user_id: user.id, title: '数学 ∑', created_at: now, updated_at: now });
    await t.db('messages').insert({ thread_id: 'thread-aaaaaaaaaa', role: 'assistant', content: '😀'.repeat(10), status: 'complete',
      usage: writeJson({ promptTokens: 3 }), created_at: now, updated_at: now });
    const msg = await t.db('messages').first();
    expect(msg.content).toBe('😀'.repeat(10));
    expect(readJson(msg.usage, {})).toEqual({ promptTokens: 3 });
    expect(toDate(msg.created_at).getTime()).toBe(now.getTime());
  });

  it('deleting a user deletes every row of theirs (cascades)', async () => {
    const user = await createUser(t.db, { email: 'cascade@example.com' });
    const other = await createUser(t.db, { email: 'keep@example.com' });
    const now = new Date();
    await issueToken(t.db, user.id, { ttlDays: 1 });
    await issueToken(t.db, other.id, { ttlDays: 1 });
    await t.db('threads').insert({ id: 'thread-cascade01', user_id: user.id, created_at: now, updated_at: now });
    const [parent] = await t.db('messages').insert({ thread_id: 'thread-cascade01', role: 'user', content: 'hi', status: 'complete', created_at: now, updated_at: now });
    await t.db('messages').insert({ thread_id: 'thread-cascade01', parent_id: parent, role: 'assistant', content: 'yo', status: 'complete', created_at: now, updated_at: now });
    await t.db('user_settings').insert({ user_id: user.id, fast_models: writeJson(['a']), updated_at: now });
    await t.db('shares').insert({ thread_id: 'thread-cascade01', user_id: user.id, code_hash: 'f'.repeat(64), created_at: now });

    await deleteUser(t.db, user.id);
    for (const [table, col] of [['access_tokens', 'user_id'], ['threads', 'user_id'], ['user_settings', 'user_id'], ['shares', 'user_id']] as const) {
      expect(await t.db(table).where(col, user.id).count({ n: '*' }).first(), table).toMatchObject({ n: 0 });
    }
    expect(await t.db('messages').where({ thread_id: 'thread-cascade01' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    expect(await t.db('access_tokens').where({ user_id: other.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  if (dialect === 'mysql') {
    it('creates utf8mb4 tables on MySQL', async () => {
      const [rows] = await t.db.raw('SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
      for (const r of rows as { TABLE_NAME: string; TABLE_COLLATION: string }[]) expect(r.TABLE_COLLATION, r.TABLE_NAME).toMatch(/^utf8mb4/);
    });
  }
});
