import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_settings', (t) => {
    t.integer('user_id').unsigned().primary().references('id').inTable('users').onDelete('CASCADE');
    // AES-256-GCM: base64 of nonce | ciphertext | tag. Never the key in the clear.
    t.text('api_key_encrypted').nullable();
    t.string('api_key_hint', 16).nullable();
    t.string('default_model', 100).nullable();
    t.json('fast_models').nullable();
    t.text('default_context').nullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_settings');
}
