import type { Knex } from 'knex';

// One-time keys of sends: each composer carries a random key, and the same key twice from the same user (a double
// Enter, a resent form, a script's retry) gives the first send's result instead of a second send. The unique index
// is what makes two simultaneous sends with one key store one exchange, on both dialects. Rows are purged after a day.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('send_keys', (t) => {
    t.bigIncrements('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('send_key', 64).notNullable();
    t.string('thread_id', 32).notNullable().references('id').inTable('threads').onDelete('CASCADE');
    // Set in the same transaction as the messages they name.
    t.bigInteger('message_id').unsigned().nullable();
    t.bigInteger('reply_id').unsigned().nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.unique(['user_id', 'send_key']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('send_keys');
}
