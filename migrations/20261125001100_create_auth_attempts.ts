import type { Knex } from 'knex';

// Sign-in and registration attempts, counted per bucket ("ip:…" or "account:<sha256 of email>") so that rate
// limits hold across instances. Rows older than the longest window are purged.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.string('bucket', 100).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.index(['bucket', 'created_at']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_attempts');
}
