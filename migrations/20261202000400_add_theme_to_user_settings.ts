import type { Knex } from 'knex';

// Appearance per user: 'system' (follow the device), 'light' or 'dark'. A short string rather than an enum, so a new
// choice needs no ALTER on MySQL; the app checks the value (settings-input.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_settings', (t) => {
    t.string('theme', 16).notNullable().defaultTo('system');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_settings', (t) => {
    t.dropColumn('theme');
  });
}
