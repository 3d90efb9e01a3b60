import type { Knex } from 'knex';

// Mistral's built-in connectors (web search, code interpreter, image generation; issue 14). threads.tools and
// user_settings.default_tools: the switched-on tool names as a JSON list (null: none, so existing rows keep answering
// through chat completions). messages.steps: the tool uses of an answer in order; messages.sources: the references
// the answer cites. Both JSON, null for an answer that used no tool.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('threads', (t) => { t.json('tools').nullable(); });
  await knex.schema.alterTable('user_settings', (t) => { t.json('default_tools').nullable(); });
  await knex.schema.alterTable('messages', (t) => {
    t.json('steps').nullable();
    t.json('sources').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropColumn('steps');
    t.dropColumn('sources');
  });
  await knex.schema.alterTable('user_settings', (t) => { t.dropColumn('default_tools'); });
  await knex.schema.alterTable('threads', (t) => { t.dropColumn('tools'); });
}
