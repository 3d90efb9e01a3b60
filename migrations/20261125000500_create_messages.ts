import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.bigIncrements('id').primary();
    t.string('thread_id', 32).notNullable().references('id').inTable('threads').onDelete('CASCADE');
    // Edits and regenerations are siblings under the same parent: the branches of a thread.
    t.bigInteger('parent_id').unsigned().nullable().references('id').inTable('messages').onDelete('CASCADE');
    t.string('role', 16).notNullable();
    // mediumtext on MySQL: 100,000 characters of utf8mb4 do not fit in TEXT's 64 KB.
    t.text('content', 'mediumtext').notNullable();
    t.text('thinking', 'mediumtext').nullable();
    // pending | streaming | complete | stopped | error | interrupted
    t.string('status', 16).notNullable();
    t.text('error').nullable();
    t.string('model', 100).nullable();
    t.json('usage').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['thread_id', 'id']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('messages');
}
