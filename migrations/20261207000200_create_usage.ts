import type { Knex } from 'knex';

// Usage and quotas (issue 16): every answer's tokens, added to one row per user, month and model as the answer ends,
// so Account, the admin table and the quota check read a handful of rows instead of summing messages.
// month: 'YYYY-MM' in UTC. server_key_tokens: the part of the tokens spent on the server's own Mistral key, the only
// part a quota counts (a user with their own key is not limited).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_monthly', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('month', 7).notNullable();
    t.string('model', 100).notNullable();
    t.bigInteger('prompt_tokens').notNullable().defaultTo(0);
    t.bigInteger('completion_tokens').notNullable().defaultTo(0);
    t.bigInteger('connector_tokens').notNullable().defaultTo(0);
    t.bigInteger('server_key_tokens').notNullable().defaultTo(0);
    t.integer('answers').notNullable().defaultTo(0);
    t.primary(['user_id', 'month', 'model']);
    // The admin table and the monthly total: one month, every user.
    t.index(['month', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('usage_monthly');
}
