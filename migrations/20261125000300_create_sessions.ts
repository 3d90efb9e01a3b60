import type { Knex } from 'knex';

// The schema connect-session-knex expects (it is told not to create its own table).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    t.json('sess').notNullable();
    if (knex.client.dialect === 'mysql') t.datetime('expired').notNullable().index();
    else t.timestamp('expired').notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
}
