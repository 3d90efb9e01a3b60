import type { Knex } from 'knex';

// Branches (edit and regenerate): every message points at the one it follows (parent_id), and a thread remembers the
// end of the branch it shows (current_leaf_id; null: its newest message). Messages written before this migration
// form one line per thread, so each gets the previous message of its thread as its parent.
// current_leaf_id has no foreign key: threads and messages would reference each other, and a thread's delete would
// have to order its cascades; a stale id is simply not found and the newest message is shown (branches.repo.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('threads', (t) => {
    t.bigInteger('current_leaf_id').unsigned().nullable();
  });
  await knex.schema.alterTable('messages', (t) => {
    // A message's siblings, and the walk down a branch to its latest leaf.
    t.index(['thread_id', 'parent_id']);
  });
  const previous = 'SELECT id, LAG(id) OVER (PARTITION BY thread_id ORDER BY id) AS prev FROM messages';
  if (knex.client.config.client === 'mysql2') {
    await knex.raw(`UPDATE messages m JOIN (${previous}) x ON x.id = m.id SET m.parent_id = x.prev WHERE m.parent_id IS NULL AND x.prev IS NOT NULL`);
  } else {
    await knex.raw(`UPDATE messages SET parent_id = x.prev FROM (${previous}) AS x WHERE x.id = messages.id AND messages.parent_id IS NULL AND x.prev IS NOT NULL`);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropIndex(['thread_id', 'parent_id']);
  });
  await knex.schema.alterTable('threads', (t) => {
    t.dropColumn('current_leaf_id');
  });
}
