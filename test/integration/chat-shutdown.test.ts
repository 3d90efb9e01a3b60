import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { readSse, waitFor } from '../support/fake-mistral-app.ts';
import { startFakeMistral } from '../support/fake-mistral.ts';
import { startServer } from '../support/server-process.ts';

describe('a graceful shutdown of the real server', () => {
  it('ends a running answer as interrupted with what arrived saved, and tells the listener', async () => {
    const fake = await startFakeMistral();
    fake.enqueue({ tokens: ['saved ', 'before ', 'shutdown'], hang: true });
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'mc-shutdown-'));
    const server = await startServer({ MISTRAL_SERVER_URL: fake.url, MISTRAL_API_KEY: 'k' }, { cwd });
    const db = createDb(`sqlite:${path.join(cwd, 'data/mistralchat.sqlite3')}`);
    try {
      const user = await createUser(db, { email: 'down@example.com' });
      const token = await issueToken(db, user.id, { ttlDays: 1 });
      const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const base = `http://127.0.0.1:${server.port}`;
      const thread = await (await fetch(`${base}/api/thread`, { method: 'POST', headers: auth, body: '{}' })).json();
      const sent = await (await fetch(`${base}/api/thread/${thread.thread.id}/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ content: 'q' }) })).json();
      const listening = readSse(`${base}/api/thread/${thread.thread.id}/messages/${sent.reply.id}/events`, auth, { timeoutMs: 15_000 });
      await waitFor(async () => (await db('messages').where({ id: sent.reply.id }).first())?.status === 'streaming');
      expect(await server.stop()).toBe(0);
      const row = await db('messages').where({ id: sent.reply.id }).first();
      expect(row).toMatchObject({ status: 'interrupted', content: 'saved before shutdown' });
      expect(row.error).toMatch(/restarted/);
      // The request to Mistral was really closed, not left hanging (it hangs on purpose: only our abort ends it).
      expect(fake.aborted).toBe(1);
      const sse = await listening;
      expect(sse.events.at(-1)).toMatchObject({ event: 'error' });
      expect(JSON.parse(sse.events.at(-1)!.data)).toMatchObject({ status: 'interrupted' });
    } finally {
      await server.stop();
      await db.destroy();
      await fake.stop();
    }
  }, 60_000); // a real server process: start-up alone can take seconds on a loaded two-core machine
});
