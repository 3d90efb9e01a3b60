import type { Knex } from 'knex';

// A guest is an ordinary users row with an expiry: it signs in with an ordinary token, a purge removes it
// (cascading to its threads), and registering turns the same row into a real account so its threads are kept.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.datetime('guest_expires_at', { precision: 3 }).nullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['guest_expires_at']);
    t.dropColumn('guest_expires_at');
  });
}
