import type { Knex } from 'knex';

// Shares keep their own copy of what was shared (docs/architecture.md "Shares"): the title at sharing time and the
// messages of the shown branch as JSON (longtext on MySQL: a long thread is more than MEDIUMTEXT's 16 MB at worst).
// A share then never changes, whatever happens to the thread later (rename, edit, a failed answer retried in place).
// Account pages list a user's shares newest first.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('shares', (t) => {
    t.string('title', 200).nullable();
    t.text('snapshot', 'longtext').nullable();
    t.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  // MySQL let the new index serve the user_id foreign key (and dropped its own): the key goes while the index does.
  const mysql = knex.client.config.client === 'mysql2';
  if (mysql) await knex.schema.alterTable('shares', (t) => { t.dropForeign(['user_id']); });
  await knex.schema.alterTable('shares', (t) => {
    t.dropIndex(['user_id', 'created_at']);
    t.dropColumn('snapshot');
    t.dropColumn('title');
  });
  if (mysql) await knex.schema.alterTable('shares', (t) => { t.foreign('user_id').references('id').inTable('users').onDelete('CASCADE'); });
}
