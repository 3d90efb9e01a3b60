// Bulk data for the paging tests, written straight into the tables the app reads (faster than one exchange at a
// time, and the same rows the app would write).
import type { Db } from '../../src/db.ts';
import { createThread, touchThread } from '../../src/features/threads/threads.repo.ts';
import { linkAsPath } from '../support/message-paths.ts';

/** `n` threads titled "Thread 1" (newest) … "Thread n" (oldest), a minute apart; their titles and paths, newest first. */
export async function manyThreads(db: Db, userId: number, n: number): Promise<{ titles: string[]; paths: string[] }> {
  const now = Date.now();
  const titles: string[] = [];
  const paths: string[] = [];
  for (let i = 1; i <= n; i++) {
    const t = await createThread(db, userId, { title: `Thread ${i}` });
    await touchThread(db, t.id, new Date(now - i * 60_000));
    titles.push(`Thread ${i}`);
    paths.push(`/threads/${t.id}`);
  }
  return { titles, paths };
}

/** A thread of `n` finished messages, "Message 1" (a question) … "Message n", alternating user and assistant. */
export async function longConversation(db: Db, userId: number, n: number): Promise<string> {
  const thread = await createThread(db, userId, { title: `${n} messages` });
  const start = Date.now() - n * 1000;
  const rows = Array.from({ length: n }, (_, i) => {
    const at = new Date(start + i * 1000);
    const user = i % 2 === 0;
    return { thread_id: thread.id, role: user ? 'user' : 'assistant', content: `Message ${i + 1}`, thinking: null, status: 'complete',
      error: null, model: user ? null : 'mistral-small-latest', usage: null, created_at: at, updated_at: at };
  });
  await db.batchInsert('messages', rows, 50);
  // One path, as sending writes it: each message follows the one before.
  await linkAsPath(db, thread.id);
  return `/threads/${thread.id}`;
}
