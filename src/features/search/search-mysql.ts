// Search on MySQL/MariaDB (migration 20261215000100): each word is indexed as `<owner>x<word>`, the owner word naming
// the user and a bucket of 2,048 of their messages (owner.ts). Newest first asks the newest bucket, then the 8 before
// it, then the 64 before those…, and stops once a page is full: InnoDB reads only those buckets' matches, so a page
// costs about the same over 100 messages or 100,000. Relevance has to score every match, all buckets at once.
import type { Db } from '../../db.ts';
import { BUCKET_SIZE, fileOwner } from './owner.ts';
import { mysqlQuery, type Term } from './query.ts';
import { MAX_RELEVANCE_OFFSET, threadFilter, type ArchivedFilter, type Found, type SearchOptions } from './search.repo.ts';

/** Owner words per statement at most (a longer query string costs more to parse than the buckets save). */
const MAX_BUCKETS_PER_QUERY = 512;
const GROWTH = 8;

const rows = (r: unknown): Array<Record<string, any>> => (Array.isArray(r) ? (Array.isArray(r[0]) ? r[0] : r) : []);
const bucketOf = (col: string) => `CAST(SUBSTRING_INDEX(${col}, 'b', -1) AS UNSIGNED)`;

/**
 * The user's hits in buckets lo..hi: messages by their text, by a file they carry (the user's files, few, matched by
 * the user's word and kept when the message is in the buckets), thread titles. `bk, ts, k2` is the order, newest first.
 */
function hitsIn(userId: number, terms: Term[], lo: number, hi: number, archived: ArchivedFilter): { sql: string; args: Array<string | number> } | null {
  const owners = Array.from({ length: hi - lo + 1 }, (_, i) => `u${userId}b${hi - i}`);
  const q = mysqlQuery(terms, owners);
  const fq = mysqlQuery(terms, [fileOwner(userId)]);
  if (!q || !fq) return null;
  const against = 'AGAINST(? IN BOOLEAN MODE)';
  const filter = threadFilter(archived);
  const sql = `
    SELECT ${bucketOf('m.search_owner')} AS bk, m.created_at AS ts, CONCAT('0', LPAD(m.id, 20, '0')) AS k2, m.thread_id AS tid, m.id AS mid, MATCH(m.search_words) ${against} AS score
      FROM messages m JOIN threads t ON t.id = m.thread_id
      WHERE MATCH(m.search_words) ${against} AND t.user_id = ?${filter}
    UNION ALL
    SELECT ${bucketOf('m.search_owner')}, m.created_at, CONCAT('0', LPAD(m.id, 20, '0')), m.thread_id, m.id, MATCH(f.search_words) ${against}
      FROM files f JOIN message_files mf ON mf.file_id = f.id JOIN messages m ON m.id = mf.message_id JOIN threads t ON t.id = m.thread_id
      WHERE MATCH(f.search_words) ${against} AND f.user_id = ? AND t.user_id = ? AND m.status NOT IN ('pending', 'streaming')
        AND m.search_owner IN (${owners.map(() => '?').join(', ')})${filter}
    UNION ALL
    SELECT ${bucketOf('t.search_owner')}, t.created_at, CONCAT('1', t.id), t.id, NULL, MATCH(t.search_words) ${against}
      FROM threads t WHERE MATCH(t.search_words) ${against} AND t.user_id = ?${filter}`;
  // A message found by its text and by a file is one hit (the best score).
  return {
    sql: `SELECT bk, ts, k2, tid, mid, MAX(score) AS score FROM (${sql}) h GROUP BY bk, ts, k2, tid, mid`,
    args: [q, q, userId, fq, fq, userId, userId, ...owners, q, q, userId],
  };
}

const found = (x: Record<string, any>, key: string): Found => ({ threadId: String(x.tid), messageId: x.mid == null ? null : Number(x.mid), key });

export async function findMysql(db: Db, userId: number, terms: Term[], opts: SearchOptions, cursor: string | null): Promise<Found[]> {
  const seq = Number((await db('users').where({ id: userId }).first('search_seq'))?.search_seq ?? 0);
  const top = Math.floor(seq / BUCKET_SIZE);
  if (opts.sort === 'relevance') return relevance(db, userId, terms, opts, cursor, top);
  const [cb, cts, ck2] = cursor?.split('|') ?? [];
  const after = cb && cts && ck2 && /^\d+$/.test(cb) && /^\d+$/.test(cts) ? { bk: Number(cb), ts: new Date(Number(cts)), k2: ck2 } : null;
  const out: Found[] = [];
  let hi = after ? Math.min(after.bk, top) : top;
  let size = 1;
  while (hi >= 0 && out.length <= opts.limit) {
    const lo = Math.max(0, hi - Math.min(size, MAX_BUCKETS_PER_QUERY) + 1);
    const hits = hitsIn(userId, terms, lo, hi, opts.archived);
    if (!hits) return [];
    const keyset = after && after.bk >= lo ? { sql: ' HAVING (bk, ts, k2) < (?, ?, ?)', args: [after.bk, after.ts, after.k2] } : { sql: '', args: [] as Array<number | Date | string> };
    const r = rows(await db.raw(`${hits.sql}${keyset.sql} ORDER BY bk DESC, ts DESC, k2 DESC LIMIT ?`, [...hits.args, ...keyset.args, opts.limit + 1 - out.length]));
    out.push(...r.map((x) => found(x, `${x.bk}|${new Date(x.ts).getTime()}|${x.k2}`)));
    hi = lo - 1;
    size *= GROWTH;
  }
  return out;
}

/** By score over every bucket (in statements of up to MAX_BUCKETS_PER_QUERY), a page at a time by offset. */
async function relevance(db: Db, userId: number, terms: Term[], opts: SearchOptions, cursor: string | null, top: number): Promise<Found[]> {
  const offset = Math.min(Number(cursor ?? 0) || 0, MAX_RELEVANCE_OFFSET);
  const all: Array<Record<string, any>> = [];
  for (let hi = top; hi >= 0; hi -= MAX_BUCKETS_PER_QUERY) {
    const hits = hitsIn(userId, terms, Math.max(0, hi - MAX_BUCKETS_PER_QUERY + 1), hi, opts.archived);
    if (!hits) return [];
    all.push(...rows(await db.raw(`${hits.sql} ORDER BY score DESC, bk DESC, ts DESC, k2 DESC LIMIT ?`, [...hits.args, offset + opts.limit + 1])));
  }
  const key = (x: Record<string, any>) => [Number(x.bk), new Date(x.ts).getTime(), String(x.k2)] as const;
  all.sort((a, b) => Number(b.score) - Number(a.score) || cmp(key(b), key(a)));
  return all.slice(offset, offset + opts.limit + 1).map((x, i) => found(x, String(offset + i + 1)));
}

function cmp(a: readonly [number, number, string], b: readonly [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}
