import type { Knex } from 'knex';

// Quotas (issue 16): an administrator's per-user override of MONTHLY_TOKEN_QUOTA. NULL: the server's default
// applies; -1: unlimited; n >= 0: at most n tokens a month on the server's key (src/features/usage/quota.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.bigInteger('monthly_token_quota').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // SQLite: its own DROP COLUMN (3.35+). Knex's dropColumn rebuilds the table there, and dropping `users` with foreign
  // keys on deletes every row that cascades from it (threads, messages, settings, usage…).
  if (/sqlite/.test(String(knex.client.config.client))) {
    await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['users', 'monthly_token_quota']);
    return;
  }
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('monthly_token_quota');
  });
}
