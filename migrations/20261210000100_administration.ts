import type { Knex } from 'knex';

// Administration (issue 16).
// users.disabled_at: a disabled account signs in nowhere (checked where a token or a sign-in becomes a user).
// users.last_active_at: written at most once an hour per user (not per request), for the admin's user list.
// users.email_verified_at: when the address was shown to belong to this account (Google, OpenID Connect, the trusted
//   proxy header, or a password set through an administrator's reset link). ADMIN_EMAILS makes an account an
//   administrator only once it is set, so someone who registered an admin's address first never becomes one.
// invites: registration links (REGISTRATION=invite); password_resets: one-time reset links made by an administrator.
// Both keep only the SHA-256 of their code, like access tokens and share links.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.datetime('disabled_at', { precision: 3 }).nullable();
    t.datetime('last_active_at', { precision: 3 }).nullable();
    t.datetime('email_verified_at', { precision: 3 }).nullable();
  });
  // Accounts Google already vouched for were verified then.
  await knex('users').whereNotNull('google_sub').update({ email_verified_at: knex.ref('created_at') });
  await knex.schema.createTable('invites', (t) => {
    t.increments('id').primary();
    t.string('code_hash', 64).notNullable().unique();
    t.integer('uses').notNullable();
    t.integer('uses_left').notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.integer('created_by').unsigned().nullable().references('id').inTable('users').onDelete('SET NULL');
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['expires_at']);
  });
  await knex.schema.createTable('password_resets', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.datetime('expires_at', { precision: 3 }).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('password_resets');
  await knex.schema.dropTable('invites');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('disabled_at');
    t.dropColumn('last_active_at');
    t.dropColumn('email_verified_at');
  });
}
