// Full-text search (issue 15), on each database's own engine, kept in sync by the database itself so that every
// write path (sends, final saves, retries, edits, imports, forks, deletions by cascade, and whatever deletes threads
// later) updates the index in the same transaction without the code having to remember it.
//
// SQLite: one FTS5 table, `search_index` (a row per final message, its text plus its files' OCR text, and a row per
// thread title), maintained by triggers. `uid` holds a token `u<user id>` that every query MATCHes too, so FTS5 itself
// keeps to the user's rows. The rowid is the sort key "newest first": the message's (or for a title, the thread's)
// creation time in ms × 2^21, plus 2 × (id mod 2^20) (+1 for titles), so ORDER BY rowid DESC LIMIT n stops early.
// MySQL/MariaDB: FULLTEXT indexes on the columns themselves (InnoDB keeps them transactionally); no triggers, which a
// server with binary logging refuses to create without SUPER. Migration 20261213000100 replaces them by indexes over
// (search_owner, text) so that a search reads only the user's rows: undo it before this one.
//
// A later SQLite migration that REBUILDS messages, threads, message_files or files (knex's alter(), dropColumn(),
// dropForeign(): copy to a temporary table, drop, rename) fails on these triggers ("no such table: main.messages"),
// and dropping a table drops its triggers: call dropSearchTriggers(knex) before and createSearchTriggers(knex) after.
// Adding a column needs nothing.
import type { Knex } from 'knex';

const LIVE = `('pending', 'streaming')`;
const ms = (x: string) => `(CASE WHEN typeof(${x}.created_at) = 'integer' THEN ${x}.created_at ELSE CAST(unixepoch(${x}.created_at, 'subsec') * 1000 AS INTEGER) END)`;
/** The FTS rowid of a message row `x` (a row of messages, or NEW/OLD). */
const messageKey = (x: string) => `(${ms(x)} * 2097152 + (${x}.id % 1048576) * 2)`;
const threadKey = (x: string) => `(${ms(x)} * 2097152 + (${x}.rowid % 1048576) * 2 + 1)`;
/** The indexed text of message `id`: its content and its files' OCR text. */
const body = (m: string) => `${m}.content || COALESCE(char(10) || (SELECT group_concat(COALESCE(f.text, ''), char(10)) FROM message_files mf JOIN files f ON f.id = mf.file_id WHERE mf.message_id = ${m}.id), '')`;
const uid = (threadId: string) => `(SELECT 'u' || t.user_id FROM threads t WHERE t.id = ${threadId})`;
/** Indexes message(s) selected by `where` (only final ones: a streamed answer is indexed when it ends). */
const indexMessages = (where: string) => `INSERT INTO search_index (rowid, body, uid, thread_id, message_id)
  SELECT ${messageKey('m')}, ${body('m')}, ${uid('m.thread_id')}, m.thread_id, m.id FROM messages m WHERE ${where} AND m.status NOT IN ${LIVE}`;
const indexTitles = (where: string) => `INSERT INTO search_index (rowid, body, uid, thread_id, message_id)
  SELECT ${threadKey('t')}, t.title, 'u' || t.user_id, t.id, NULL FROM threads t WHERE ${where} AND t.title IS NOT NULL`;

const SQLITE_TABLE = [
  // remove_diacritics 2: "cafe" finds "café" (as MariaDB's accent-insensitive collation does).
  `CREATE VIRTUAL TABLE search_index USING fts5(body, uid, thread_id UNINDEXED, message_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')`,
  // Relevance counts the text only, not the user token every row has.
  `INSERT INTO search_index (search_index, rank) VALUES ('rank', 'bm25(1.0, 0.0)')`,
];
const SQLITE_TRIGGERS = [
  `CREATE TRIGGER search_message_insert AFTER INSERT ON messages WHEN NEW.status NOT IN ${LIVE} BEGIN
    ${indexMessages('m.id = NEW.id')}; END`,
  // Progress saves of a live answer (both states live) touch nothing; anything else re-indexes the row.
  `CREATE TRIGGER search_message_update AFTER UPDATE OF content, status ON messages
    WHEN NOT (OLD.status IN ${LIVE} AND NEW.status IN ${LIVE}) BEGIN
    DELETE FROM search_index WHERE rowid = ${messageKey('OLD')};
    ${indexMessages('m.id = NEW.id')}; END`,
  `CREATE TRIGGER search_message_delete AFTER DELETE ON messages BEGIN
    DELETE FROM search_index WHERE rowid = ${messageKey('OLD')}; END`,
  `CREATE TRIGGER search_file_link AFTER INSERT ON message_files BEGIN
    DELETE FROM search_index WHERE rowid = (SELECT ${messageKey('m')} FROM messages m WHERE m.id = NEW.message_id);
    ${indexMessages('m.id = NEW.message_id')}; END`,
  `CREATE TRIGGER search_file_unlink AFTER DELETE ON message_files BEGIN
    DELETE FROM search_index WHERE rowid = (SELECT ${messageKey('m')} FROM messages m WHERE m.id = OLD.message_id);
    ${indexMessages('m.id = OLD.message_id')}; END`,
  `CREATE TRIGGER search_thread_insert AFTER INSERT ON threads WHEN NEW.title IS NOT NULL BEGIN
    ${indexTitles('t.id = NEW.id')}; END`,
  `CREATE TRIGGER search_thread_update AFTER UPDATE OF title, user_id ON threads BEGIN
    DELETE FROM search_index WHERE rowid = ${threadKey('OLD')};
    ${indexTitles('t.id = NEW.id')}; END`,
  `CREATE TRIGGER search_thread_delete AFTER DELETE ON threads BEGIN
    DELETE FROM search_index WHERE rowid = ${threadKey('OLD')}; END`,
];

const TRIGGERS = ['search_message_insert', 'search_message_update', 'search_message_delete', 'search_file_link',
  'search_file_unlink', 'search_thread_insert', 'search_thread_update', 'search_thread_delete'];

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2') {
    // Building a FULLTEXT index reads the rows already there: existing data is indexed here.
    await knex.raw('ALTER TABLE messages ADD FULLTEXT INDEX messages_content_fulltext (content)');
    await knex.raw('ALTER TABLE threads ADD FULLTEXT INDEX threads_title_fulltext (title)');
    await knex.raw('ALTER TABLE files ADD FULLTEXT INDEX files_text_fulltext (text)');
    return;
  }
  for (const sql of SQLITE_TABLE) await knex.raw(sql);
  await createSearchTriggers(knex);
}

/** SQLite only: the triggers, and the index rebuilt from the tables (what exists already, or what a rebuild moved). */
export async function createSearchTriggers(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM search_index`);
  for (const sql of SQLITE_TRIGGERS) await knex.raw(sql);
  await knex.raw(indexMessages('1 = 1'));
  await knex.raw(indexTitles('1 = 1'));
}

export async function dropSearchTriggers(knex: Knex): Promise<void> {
  for (const name of TRIGGERS) await knex.raw(`DROP TRIGGER IF EXISTS ${name}`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'mysql2') {
    await knex.raw('ALTER TABLE files DROP INDEX files_text_fulltext');
    await knex.raw('ALTER TABLE threads DROP INDEX threads_title_fulltext');
    await knex.raw('ALTER TABLE messages DROP INDEX messages_content_fulltext');
    return;
  }
  await dropSearchTriggers(knex);
  await knex.raw('DROP TABLE IF EXISTS search_index');
}
