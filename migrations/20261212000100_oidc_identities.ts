import type { Knex } from 'knex';

// Single sign-on (OpenID Connect, issue 16). user_identities: which provider account (issuer + sub) signs in as which
// user, so later sign-ins match by sub first (the email at the provider may change). One identity per user and
// issuer. users.oidc_admin: whether the provider said, at the user's last OIDC sign-in, that they are in
// OIDC_ADMIN_GROUP; refreshed at every OIDC sign-in, read by the admin gate.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_identities', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('issuer', 255).notNullable();
    t.string('sub', 255).notNullable();
    t.timestamp('created_at').notNullable();
    t.timestamp('last_sign_in_at').nullable();
    t.unique(['issuer', 'sub']);
    t.unique(['user_id', 'issuer']);
  });
  if (knex.client.config.client === 'mysql2') {
    // Opaque identifiers compare byte for byte ("abc" and "ABC" are two accounts), as on SQLite.
    await knex.raw('ALTER TABLE user_identities MODIFY issuer VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    await knex.raw('ALTER TABLE user_identities MODIFY sub VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
  }
  await knex.schema.alterTable('users', (t) => {
    t.boolean('oidc_admin').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('oidc_admin');
  });
  await knex.schema.dropTable('user_identities');
}
