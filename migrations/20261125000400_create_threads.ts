import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('threads', (t) => {
    t.string('id', 32).primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('title', 200).nullable();
    // A title the user typed is never replaced by a generated one.
    t.boolean('title_set_by_user').notNullable().defaultTo(false);
    t.string('model', 100).nullable();
    t.text('context').nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    // The sidebar: a user's threads, newest first, paged by (updated_at, id).
    t.index(['user_id', 'updated_at', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('threads');
}
