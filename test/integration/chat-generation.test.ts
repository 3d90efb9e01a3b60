// A job's saves: progress is saved on a clock, and the final save never races a progress save still on its way
// (on MySQL two pooled connections could otherwise land them in either order).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerations } from '../../src/features/chat/generation.ts';
import { insertExchange } from '../../src/features/chat/messages.repo.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { createLogger } from '../../src/http/logger.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp } from '../support/fake-mistral-app.ts';

type QueryEvent = { __knexQueryUid: string; sql: string; bindings: unknown[] };

describe.each(DIALECTS)('generation saves on %s', (dialect) => {
  let t: ChatTestApp;
  beforeAll(async () => { t = await chatApp(dialect); });
  afterAll(async () => { await t?.close(); });

  it('a stop while a progress save is in flight: the final save waits for it and is the last write', async () => {
    const s = await signIn(t);
    // A save clock of 5 ms keeps a progress save in flight most of the time.
    const gens = createGenerations({ db: t.db, config: t.config, logger: createLogger('silent') }, { idleTimeoutMs: 5000, saveEveryMs: 5 });
    const thread = await createThread(t.db, s.user.id);
    const exchange = (await insertExchange(t.db, thread.id, 'count slowly', 'mistral-small-latest'))!;
    const replyId = exchange.reply.id;
    t.fake.enqueue({ tokens: Array.from({ length: 2000 }, () => 'x '), tokenDelayMs: 2 });
    const log: Array<{ at: 'start' | 'end'; uid: string; kind: 'progress' | 'final' }> = [];
    const kinds = new Map<string, 'progress' | 'final'>();
    let job: ReturnType<typeof gens.start> | undefined;
    let progressSaves = 0;
    const onQuery = (q: QueryEvent) => {
      if (!/^update [`"]messages[`"]/i.test(q.sql) || !q.bindings.includes(replyId)) return;
      const kind = q.bindings.includes('streaming') ? 'progress' : 'final';
      kinds.set(q.__knexQueryUid, kind);
      log.push({ at: 'start', uid: q.__knexQueryUid, kind });
      // Stop exactly while this progress save is on its way to the database.
      if (kind === 'progress' && ++progressSaves === 3) job!.stop('user');
    };
    const onResponse = (_res: unknown, q: QueryEvent) => {
      const kind = kinds.get(q.__knexQueryUid);
      if (kind) log.push({ at: 'end', uid: q.__knexQueryUid, kind });
    };
    t.db.on('query', onQuery).on('query-response', onResponse);
    try {
      job = gens.start(thread, exchange.reply);
      await job.finished;
    } finally {
      t.db.off('query', onQuery).off('query-response', onResponse);
    }
    const finalStart = log.findIndex((e) => e.kind === 'final' && e.at === 'start');
    expect(progressSaves).toBe(3);
    expect(finalStart).toBeGreaterThan(0);
    // Every progress save had its answer before the final save started, and none started after it.
    const lastProgressEnd = log.map((e, i) => (e.kind === 'progress' && e.at === 'end' ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    expect(lastProgressEnd).toBeLessThan(finalStart);
    expect(log.slice(finalStart).every((e) => e.kind === 'final')).toBe(true);
    const row = await t.db('messages').where({ id: replyId }).first();
    expect(row.status).toBe('stopped');
    expect(row.content).toMatch(/^(x )+$/);
    expect(row.content).toBe(job.snapshot().text);
  });
});
