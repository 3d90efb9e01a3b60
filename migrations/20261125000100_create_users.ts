import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('email', 320).notNullable().unique();
    t.string('name', 200).nullable();
    t.string('picture', 2048).nullable();
    // scrypt$N$r$p$salt$hash; null for accounts that only sign in with Google or a trusted header.
    t.string('password_hash', 255).nullable();
    t.string('google_sub', 255).nullable().unique();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
