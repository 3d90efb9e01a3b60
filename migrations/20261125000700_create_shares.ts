import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('shares', (t) => {
    t.increments('id').primary();
    t.string('thread_id', 32).notNullable().references('id').inTable('threads').onDelete('CASCADE');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    // SHA-256 of the code in /s/<code>: a leaked database does not leak working links.
    t.string('code_hash', 64).notNullable().unique();
    // The shared copy ends at this message: later messages are not shown.
    t.bigInteger('last_message_id').unsigned().nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('expires_at', { precision: 3 }).nullable();
    t.datetime('revoked_at', { precision: 3 }).nullable();
    t.index(['thread_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('shares');
}
