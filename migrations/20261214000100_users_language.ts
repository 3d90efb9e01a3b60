import type { Knex } from 'knex';

// Languages (issue 17): the interface language a user chose on Account ('en', 'fr'). NULL: automatic (the `lang`
// cookie, then the browser's Accept-Language; src/i18n/negotiate.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('language', 8).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // SQLite: its own DROP COLUMN (3.35+); knex's dropColumn would rebuild `users`, cascading deletes from it.
  if (/sqlite/.test(String(knex.client.config.client))) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['users', 'language']);
    return;
  }
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('language');
  });
}
