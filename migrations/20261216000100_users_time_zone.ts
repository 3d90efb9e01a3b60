import type { Knex } from 'knex';

// Languages (issue 17): the time zone a user chose on Account ('Europe/Paris', an IANA name). NULL: automatic (the
// zone the browser's script reports in the `tz` cookie, else UTC; src/i18n/zones.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('time_zone', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // SQLite: its own DROP COLUMN (3.35+); knex's dropColumn would rebuild `users`, cascading deletes from it.
  if (/sqlite/.test(String(knex.client.config.client))) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['users', 'time_zone']);
    return;
  }
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('time_zone');
  });
}
