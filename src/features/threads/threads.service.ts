// The thread list as the sidebar shows it, and the thread edits people make.
import { pendingCutoff, purgeUnlinkedFiles } from '../files/files.repo.ts';
import type { Db } from '../../db.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { decodeCursor, deleteThread, deleteThreads, listPinned, listThreads, updateThread, type Thread } from './threads.repo.ts';

export const THREADS_PER_PAGE = 30;
const DAY = 24 * 3600 * 1000;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Today / Yesterday / Last 7 days / Last 30 days / "Month Year", counted in UTC days. */
export function groupLabel(at: Date, now: Date): string {
  const day = (d: Date) => Math.floor(d.getTime() / DAY);
  const ago = day(now) - day(at);
  if (ago <= 0) return 'Today';
  if (ago === 1) return 'Yesterday';
  if (ago < 7) return 'Last 7 days';
  if (ago < 30) return 'Last 30 days';
  return `${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}`;
}

export type ThreadListView = {
  groups: Array<{ label: string; threads: Array<{ id: string; title: string | null; pinned?: boolean }> }>;
  nextUrl: string | null; lastGroup: string | null;
};

/**
 * The list: on its first page the pinned threads as a group of their own ("Pinned") above the newest; `archived`:
 * the Archived view instead (/archived), paged the same way.
 */
export async function threadListView(db: Db, url: UrlFor, userId: number, q: { cursor?: unknown; group?: unknown } = {}, now = new Date(),
  opts: { archived?: boolean } = {}): Promise<ThreadListView> {
  const cursor = decodeCursor(q.cursor);
  const [{ threads, nextCursor }, pinned] = await Promise.all([
    listThreads(db, userId, { cursor, limit: THREADS_PER_PAGE, archived: opts.archived }),
    cursor || opts.archived ? [] : listPinned(db, userId),
  ]);
  const groups: ThreadListView['groups'] = pinned.length ? [{ label: 'Pinned', threads: pinned.map((t) => ({ id: t.id, title: t.title, pinned: true })) }] : [];
  for (const t of threads) {
    const label = groupLabel(t.updatedAt, now);
    if (groups.at(-1)?.label !== label) groups.push({ label, threads: [] });
    groups.at(-1)!.threads.push({ id: t.id, title: t.title });
  }
  const last = groups.at(-1)?.label ?? null;
  const nextUrl = nextCursor ? url(`${opts.archived ? '/archived' : '/threads'}?cursor=${nextCursor}&group=${encodeURIComponent(last ?? '')}`) : null;
  return { groups, nextUrl, lastGroup: typeof q.group === 'string' && q.group ? q.group : null };
}

export class ThreadInputError extends Error {
  constructor(message: string, public field: string) { super(message); }
}

export function cleanTitle(raw: unknown): string {
  const title = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  if (!title) throw new ThreadInputError('Give the conversation a title.', 'title');
  if (title.length > 200) throw new ThreadInputError('Keep the title under 200 characters.', 'title');
  return title;
}

export async function renameThread(db: Db, userId: number, id: string, rawTitle: unknown): Promise<Thread | null> {
  return updateThread(db, userId, id, { title: cleanTitle(rawTitle), titleSetByUser: true });
}

/** Deletes a thread, its messages (foreign keys) and the files only its messages carried. */
export async function removeThread(db: Db, userId: number, id: string): Promise<boolean> {
  const removed = await deleteThread(db, userId, id);
  if (removed) await purgeUnlinkedFiles(db, { userId, pendingBefore: pendingCutoff() });
  return removed;
}

/** Bulk delete: only the caller's own threads among `ids` go, then the files only they carried. */
export async function removeThreads(db: Db, userId: number, ids: string[]): Promise<number> {
  const removed = await deleteThreads(db, userId, ids);
  if (removed) await purgeUnlinkedFiles(db, { userId, pendingBefore: pendingCutoff() });
  return removed;
}

/** Ids from a form (`ids`, one or many) or a JSON body: well-formed ones only, at most 500. */
export function idsOf(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return [...new Set(list.filter((x): x is string => typeof x === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(x)))].slice(0, 500);
}
