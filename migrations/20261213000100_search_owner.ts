// Search on MySQL/MariaDB reads only the user's rows (issue 15): a column `search_owner` on messages, threads and
// files holding the owner's word `uid_<user id>` (src/features/search/owner.ts, written by every insert), and the
// FULLTEXT indexes of 20261208000100 replaced by ones over (search_owner, text). A search requires the user's word
// (`+uid_7 +kettle`), so InnoDB intersects the words' document lists inside the index and fetches only rows that
// carry both: before, it fetched every user's rows holding the word and the join to threads dropped the others'.
//
// NOT NULL DEFAULT '': a row inserted without the word is never found by search (rather than failing the insert):
// the app's insert sites set it, and search.test.ts checks that every row a send, fork, upload or import writes has
// the right one. A thread's user never changes, so the word is never rewritten.
// SQLite gets the column too (added, not rebuilt: see the search migration's note on its triggers) and ignores it:
// its FTS5 table already carries the user's word.
import type { Knex } from 'knex';

const TABLES = [
  { table: 'messages', owner: `CONCAT('uid_', (SELECT t.user_id FROM threads t WHERE t.id = messages.thread_id))`, text: 'content', old: 'messages_content_fulltext' },
  { table: 'threads', owner: `CONCAT('uid_', user_id)`, text: 'title', old: 'threads_title_fulltext' },
  { table: 'files', owner: `CONCAT('uid_', user_id)`, text: 'text', old: 'files_text_fulltext' },
] as const;

const isMysql = (knex: Knex) => knex.client.config.client === 'mysql2';

export async function up(knex: Knex): Promise<void> {
  for (const { table, owner } of TABLES) {
    await knex.schema.alterTable(table, (t) => { t.string('search_owner', 24).notNullable().defaultTo(''); });
    await knex.raw(`UPDATE ${table} SET search_owner = ${isMysql(knex) ? owner : owner.replace(/CONCAT\('uid_', (.*)\)$/, `'uid_' || $1`)}`);
  }
  if (!isMysql(knex)) return;
  for (const { table, text, old } of TABLES) {
    await knex.raw(`ALTER TABLE ${table} DROP INDEX ${old}`);
    // Building a FULLTEXT index reads the rows already there: existing data is indexed here.
    await knex.raw(`ALTER TABLE ${table} ADD FULLTEXT INDEX ${table}_owner_${text}_fulltext (search_owner, ${text})`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const { table, text, old } of TABLES) {
    if (isMysql(knex)) {
      await knex.raw(`ALTER TABLE ${table} DROP INDEX ${table}_owner_${text}_fulltext`);
      await knex.raw(`ALTER TABLE ${table} ADD FULLTEXT INDEX ${old} (${text})`);
    }
    // SQLite: DROP COLUMN (3.35+) without a rebuild, so the search triggers stay.
    await knex.raw(`ALTER TABLE ${table} DROP COLUMN search_owner`);
  }
}
