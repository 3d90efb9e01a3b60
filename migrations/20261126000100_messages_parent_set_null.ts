import type { Knex } from 'knex';

// messages.parent_id cascaded to messages: a branch deeper than 15 replies could not be deleted on MariaDB/MySQL
// (InnoDB stops cascading at depth 15), and with it neither the thread nor its user. Messages still go with their
// thread (thread_id cascades), so the parent link only needs to let go: SET NULL.
// No transaction: SQLite rebuilds the table for this, which needs foreign_keys off (a pragma ignored inside one).
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropForeign(['parent_id']);
    t.foreign('parent_id').references('id').inTable('messages').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropForeign(['parent_id']);
    t.foreign('parent_id').references('id').inTable('messages').onDelete('CASCADE');
  });
}
