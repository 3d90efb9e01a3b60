// Tests that store messages directly (thousands at once) store them as sending does: each message follows the one
// before it in its thread (parent_id), as the branches migration links messages written before branches existed,
// and the thread shows the last of them.
import type { Db } from '../../src/db.ts';

export async function linkAsPath(db: Db, threadId: string): Promise<void> {
  const previous = 'SELECT id, LAG(id) OVER (ORDER BY id) AS prev FROM messages WHERE thread_id = ?';
  if (db.client.config.client === 'mysql2') {
    await db.raw(`UPDATE messages m JOIN (${previous}) x ON x.id = m.id SET m.parent_id = x.prev WHERE x.prev IS NOT NULL`, [threadId]);
  } else {
    await db.raw(`UPDATE messages SET parent_id = x.prev FROM (${previous}) AS x WHERE x.id = messages.id AND x.prev IS NOT NULL`, [threadId]);
  }
  // The thread shows its newest message, the end of that path.
  await db('threads').where({ id: threadId }).update({ current_leaf_id: null });
}
