// Search on MySQL/MariaDB at the cost of a page, not of the user's history (issue 15's budget). Before, the FULLTEXT
// indexes covered (search_owner, text) with one owner word per user: InnoDB read and intersected the doclists of
// the owner word and of every searched word, and fetched every one of the user's matches to sort them newest first
// (20,000 rows for a common word over 100,000 messages). Now:
// - `users.search_seq` counts each user's messages; a message or thread carries `u<user>b<bucket>` (the count when
//   it was written / 2,048; files `u<user>`), see src/features/search/owner.ts;
// - a STORED generated column `search_words` writes every word of the text as `<owner>x<word>` (nothing while an
//   answer is live: a streamed answer is indexed once, when final), under a FULLTEXT index: a word's doclist holds
//   one user's matches in one bucket, and a search asks the newest buckets first (search.repo.ts).
// The generated column follows every write of the text (sends, final saves, edits, renames, OCR) by itself.
// SQLite: the counter and the owner values only (its FTS5 table is unchanged).
import type { Knex } from 'knex';

/** src/features/search/owner.ts's BUCKET_SIZE when this was written (rows keep their bucket: it must not follow later changes). */
const BUCKET = 2048;
const isMysql = (knex: Knex) => knex.client.config.client === 'mysql2';
const TABLES = [
  { table: 'messages', text: 'content', live: true },
  { table: 'threads', text: 'title', live: false },
  { table: 'files', text: 'text', live: false },
] as const;

/** MariaDB's REGEXP_REPLACE is PCRE (\\1, (*UCP) for Unicode words); MySQL 8's is ICU ($1, Unicode by default). */
async function wordsExpression(knex: Knex, text: string, live: boolean): Promise<string> {
  const version = String(((await knex.raw('SELECT VERSION() AS v')) as any)[0][0].v);
  const replaced = /mariadb/i.test(version)
    ? `REGEXP_REPLACE(COALESCE(${text}, ''), '(*UCP)(\\\\w+)', CONCAT(search_owner, 'x\\\\1'))`
    : `REGEXP_REPLACE(COALESCE(${text}, ''), '(\\\\w+)', CONCAT(search_owner, 'x$1'))`;
  return live ? `IF(status IN ('pending', 'streaming'), '', ${replaced})` : replaced;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => { t.integer('search_seq').unsigned().notNullable().defaultTo(0); });
  // Each user's messages numbered in the order they were written; a thread takes its first message's bucket.
  const numbered = `SELECT m.id, t.user_id AS uid, ROW_NUMBER() OVER (PARTITION BY t.user_id ORDER BY m.id) - 1 AS n FROM messages m JOIN threads t ON t.id = m.thread_id`;
  if (isMysql(knex)) {
    await knex.raw(`UPDATE messages m JOIN (${numbered}) x ON x.id = m.id SET m.search_owner = CONCAT('u', x.uid, 'b', FLOOR(x.n / ${BUCKET}))`);
  } else {
    await knex.raw(`UPDATE messages SET search_owner = 'u' || x.uid || 'b' || (x.n / ${BUCKET}) FROM (${numbered}) x WHERE x.id = messages.id`);
  }
  await knex.raw(`UPDATE users SET search_seq = (SELECT COUNT(*) FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.user_id = users.id)`);
  const cat = (...p: string[]) => (isMysql(knex) ? `CONCAT(${p.join(', ')})` : p.join(' || '));
  await knex.raw(`UPDATE threads SET search_owner = COALESCE((SELECT m.search_owner FROM messages m WHERE m.thread_id = threads.id ORDER BY m.id LIMIT 1),
    ${cat(`'u'`, 'user_id', `'b'`, `(SELECT ${isMysql(knex) ? `FLOOR(u.search_seq / ${BUCKET})` : `u.search_seq / ${BUCKET}`} FROM users u WHERE u.id = threads.user_id)`)})`);
  await knex.raw(`UPDATE files SET search_owner = ${cat(`'u'`, 'user_id')}`);
  if (!isMysql(knex)) return;
  for (const { table, text, live } of TABLES) {
    await knex.raw(`ALTER TABLE ${table} DROP INDEX ${table}_owner_${text}_fulltext`);
    await knex.raw(`ALTER TABLE ${table} ADD COLUMN search_words MEDIUMTEXT AS (${await wordsExpression(knex, text, live)}) STORED`);
    // Building a FULLTEXT index reads the rows already there: existing data is indexed here.
    await knex.raw(`ALTER TABLE ${table} ADD FULLTEXT INDEX ${table}_search_words_fulltext (search_words)`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isMysql(knex)) {
    for (const { table, text } of TABLES) {
      await knex.raw(`ALTER TABLE ${table} DROP INDEX ${table}_search_words_fulltext`);
      await knex.raw(`ALTER TABLE ${table} DROP COLUMN search_words`);
    }
  }
  const word = isMysql(knex) ? (uid: string) => `CONCAT('uid_', ${uid})` : (uid: string) => `'uid_' || ${uid}`;
  await knex.raw(`UPDATE messages SET search_owner = ${word('(SELECT t.user_id FROM threads t WHERE t.id = messages.thread_id)')}`);
  await knex.raw(`UPDATE threads SET search_owner = ${word('user_id')}`);
  await knex.raw(`UPDATE files SET search_owner = ${word('user_id')}`);
  if (isMysql(knex)) {
    for (const { table, text } of TABLES) await knex.raw(`ALTER TABLE ${table} ADD FULLTEXT INDEX ${table}_owner_${text}_fulltext (search_owner, ${text})`);
  }
  // SQLite: DROP COLUMN (3.35+) without a rebuild, so the search triggers stay.
  if (isMysql(knex)) await knex.schema.alterTable('users', (t) => { t.dropColumn('search_seq'); });
  else await knex.raw('ALTER TABLE users DROP COLUMN search_seq');
}
