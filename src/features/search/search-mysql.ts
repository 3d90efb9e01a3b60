// Search on MySQL/MariaDB (migration 20261215000100): each word is indexed as `<owner>x<word>`, the owner word naming
// the user and a bucket of 2,048 of their messages (owner.ts). Newest first asks the newest bucket, then the 64
// before it, then 4,096 more…, and stops once a page is full: InnoDB reads only those buckets' matches, so a page
// costs about the same over 100 messages or 100,000. Relevance has to score every match, all buckets at once.
import type { Db } from '../../db.ts';
import { BUCKET_SIZE, fileOwner } from './owner.ts';
import { mysqlQuery, type Term } from './query.ts';
import { MAX_RELEVANCE_OFFSET, threadFilter, type ArchivedFilter, type Found, type SearchOptions } from './search.repo.ts';

/** Owner words per statement at most (a longer query string costs more to parse than the buckets save). */
const MAX_BUCKETS_PER_QUERY = 512;
/** Each window this many times the last: a rare word costs few statements, a common one stops in the first. */
const GROWTH = 64;

type Hit = { bk: number; ts: number; k2: string; tid: string; mid: number | null; score: number };
const rows = (r: unknown): Array<Record<string, any>> => (Array.isArray(r) ? (Array.isArray(r[0]) ? r[0] : r) : []);
const bucketOf = (col: string) => `CAST(SUBSTRING_INDEX(${col}, 'b', -1) AS UNSIGNED)`;
const AGAINST = 'AGAINST(? IN BOOLEAN MODE)';
const toHit = (x: Record<string, any>): Hit => ({ bk: Number(x.bk), ts: new Date(x.ts).getTime(), k2: String(x.k2), tid: String(x.tid), mid: x.mid == null ? null : Number(x.mid), score: Number(x.score) });
/** Newest first: bucket, then time, then k2 (messages before titles of the same time, then by id). */
const newer = (a: Hit, b: Hit) => b.bk - a.bk || b.ts - a.ts || (a.k2 < b.k2 ? 1 : a.k2 > b.k2 ? -1 : 0);
const isAfter = (h: Hit, c: Hit | null) => !c || newer(c, h) < 0;

/** The user's messages (by their text) and thread titles in buckets lo..hi, as one statement. */
function textHits(userId: number, terms: Term[], lo: number, hi: number, archived: ArchivedFilter): { sql: string; args: Array<string | number> } | null {
  const q = mysqlQuery(terms, Array.from({ length: hi - lo + 1 }, (_, i) => `u${userId}b${hi - i}`));
  if (!q) return null;
  const filter = threadFilter(archived);
  return {
    sql: `SELECT ${bucketOf('m.search_owner')} AS bk, m.created_at AS ts, CONCAT('0', LPAD(m.id, 20, '0')) AS k2, m.thread_id AS tid, m.id AS mid, MATCH(m.search_words) ${AGAINST} AS score
      FROM messages m JOIN threads t ON t.id = m.thread_id WHERE MATCH(m.search_words) ${AGAINST} AND t.user_id = ?${filter}
    UNION ALL
    SELECT ${bucketOf('t.search_owner')}, t.created_at, CONCAT('1', t.id), t.id, NULL, MATCH(t.search_words) ${AGAINST}
      FROM threads t WHERE MATCH(t.search_words) ${AGAINST} AND t.user_id = ?${filter}`,
    args: [q, q, userId, q, q, userId],
  };
}

/** Messages found by a file they carry: the user's files are few and indexed by the user's word, so read at once. */
async function fileHits(db: Db, userId: number, terms: Term[], archived: ArchivedFilter): Promise<Hit[]> {
  const fq = mysqlQuery(terms, [fileOwner(userId)]);
  if (!fq) return [];
  return rows(await db.raw(`SELECT ${bucketOf('m.search_owner')} AS bk, m.created_at AS ts, CONCAT('0', LPAD(m.id, 20, '0')) AS k2, m.thread_id AS tid, m.id AS mid,
      MATCH(f.search_words) ${AGAINST} AS score
    FROM files f JOIN message_files mf ON mf.file_id = f.id JOIN messages m ON m.id = mf.message_id JOIN threads t ON t.id = m.thread_id
    WHERE MATCH(f.search_words) ${AGAINST} AND f.user_id = ? AND t.user_id = ? AND m.status NOT IN ('pending', 'streaming')${threadFilter(archived)}`,
  [fq, fq, userId, userId])).map(toHit);
}

/** A message found by its text and by a file is one hit (the best score). */
function merged(hits: Hit[]): Hit[] {
  const byKey = new Map<string, Hit>();
  for (const h of hits) { const seen = byKey.get(h.k2); if (!seen || h.score > seen.score) byKey.set(h.k2, h); }
  return [...byKey.values()];
}

const found = (h: Hit, key: string): Found => ({ threadId: h.tid, messageId: h.mid, key });

export async function findMysql(db: Db, userId: number, terms: Term[], opts: SearchOptions, cursor: string | null): Promise<Found[]> {
  if (!terms.length) return []; // nothing to look for: no read at all
  const seq = Number((await db('users').where({ id: userId }).first('search_seq'))?.search_seq ?? 0);
  const top = Math.floor(seq / BUCKET_SIZE);
  const files = await fileHits(db, userId, terms, opts.archived);
  if (opts.sort === 'relevance') return relevance(db, userId, terms, opts, cursor, top, files);
  const [cb, cts, ck2] = cursor?.split('|') ?? [];
  const after: Hit | null = cb && cts && ck2 && /^\d+$/.test(cb) && /^\d+$/.test(cts) ? { bk: Number(cb), ts: Number(cts), k2: ck2, tid: '', mid: null, score: 0 } : null;
  const out: Hit[] = [];
  let hi = after ? Math.min(after.bk, top) : top;
  for (let size = 1; hi >= 0 && out.length <= opts.limit; size *= GROWTH) {
    const lo = Math.max(0, hi - Math.min(size, MAX_BUCKETS_PER_QUERY) + 1);
    const text = textHits(userId, terms, lo, hi, opts.archived)!;
    const keyset = after && after.bk >= lo ? { sql: ' WHERE (bk, ts, k2) < (?, ?, ?)', args: [after.bk, new Date(after.ts), after.k2] } : { sql: '', args: [] as Array<number | Date | string> };
    const need = opts.limit + 1 - out.length;
    const r = rows(await db.raw(`SELECT * FROM (${text.sql}) h${keyset.sql} ORDER BY bk DESC, ts DESC, k2 DESC LIMIT ?`, [...text.args, ...keyset.args, need])).map(toHit);
    const inWindow = files.filter((h) => h.bk >= lo && h.bk <= hi && isAfter(h, after));
    out.push(...merged([...r, ...inWindow]).sort(newer).slice(0, need));
    hi = lo - 1;
  }
  return out.map((h) => found(h, `${h.bk}|${h.ts}|${h.k2}`));
}

/** By score over every bucket (in statements of up to MAX_BUCKETS_PER_QUERY), a page at a time by offset. */
async function relevance(db: Db, userId: number, terms: Term[], opts: SearchOptions, cursor: string | null, top: number, files: Hit[]): Promise<Found[]> {
  const offset = Math.min(Number(cursor ?? 0) || 0, MAX_RELEVANCE_OFFSET);
  const all: Hit[] = [...files];
  for (let hi = top; hi >= 0; hi -= MAX_BUCKETS_PER_QUERY) {
    const text = textHits(userId, terms, Math.max(0, hi - MAX_BUCKETS_PER_QUERY + 1), hi, opts.archived)!;
    all.push(...rows(await db.raw(`${text.sql} ORDER BY score DESC, bk DESC, ts DESC, k2 DESC LIMIT ?`, [...text.args, offset + opts.limit + 1])).map(toHit));
  }
  const ranked = merged(all).sort((a, b) => b.score - a.score || newer(a, b));
  return ranked.slice(offset, offset + opts.limit + 1).map((h, i) => found(h, String(offset + i + 1)));
}
