import type { Knex } from 'knex';

// Find and organise (issue 15): pinned threads come first in the list, archived ones leave it (listed under
// Archived, still searchable), and a temporary chat is never listed and is deleted after temporary_until.
// All three are times rather than booleans: the list orders pins by when they were pinned, and the purge finds
// expired temporary chats through their own index.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('threads', (t) => {
    t.datetime('pinned_at', { precision: 3 }).nullable();
    t.datetime('archived_at', { precision: 3 }).nullable();
    t.datetime('temporary_until', { precision: 3 }).nullable();
    t.index(['temporary_until']);
  });
}

export async function down(knex: Knex): Promise<void> {
  // SQLite: its own DROP COLUMN (3.35+). Knex's dropColumn rebuilds the table there, and dropping `threads` with
  // foreign keys on deletes every message that cascades from it.
  if (/sqlite/.test(String(knex.client.config.client))) {
    await knex.raw('DROP INDEX IF EXISTS ??', ['threads_temporary_until_index']);
    for (const column of ['pinned_at', 'archived_at', 'temporary_until']) await knex.raw('ALTER TABLE ?? DROP COLUMN ??', ['threads', column]);
    return;
  }
  await knex.schema.alterTable('threads', (t) => {
    t.dropIndex(['temporary_until']);
    t.dropColumn('pinned_at');
    t.dropColumn('archived_at');
    t.dropColumn('temporary_until');
  });
}
