import type { Knex } from 'knex';

// "Think harder" per thread: asks reasoning models for more reasoning effort. Off by default.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('threads', (t) => {
    t.boolean('think_harder').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('threads', (t) => {
    t.dropColumn('think_harder');
  });
}
