// The thread list as the sidebar shows it, and the thread edits people make.
import { pendingCutoff, purgeUnlinkedFiles } from '../files/files.repo.ts';
import type { Db } from '../../db.ts';
import type { UrlFor } from '../../http/base-path.ts';
import { decodeCursor, deleteThread, deleteThreads, listFirstPage, listThreads, updateThread, type Thread } from './threads.repo.ts';
import { english, tr, type Translatable } from '../../i18n/text.ts';
import { dayNumber, partsIn } from '../../i18n/format.ts';
import { DEFAULT_ZONE } from '../../i18n/zones.ts';

export const THREADS_PER_PAGE = 30;
// Languages (issue 17): month names from the catalogue (literal keys, so the catalogue test finds them).
const MONTHS = [tr('threads:month.january'), tr('threads:month.february'), tr('threads:month.march'), tr('threads:month.april'),
  tr('threads:month.may'), tr('threads:month.june'), tr('threads:month.july'), tr('threads:month.august'),
  tr('threads:month.september'), tr('threads:month.october'), tr('threads:month.november'), tr('threads:month.december')];

/**
 * Today / Yesterday / Last 7 days / Last 30 days / "Month Year", counted in the reader's days (their time zone,
 * src/i18n/zones.ts): the heading, to translate.
 */
export function groupHeading(at: Date, now: Date, zone: string = DEFAULT_ZONE): Translatable {
  const a = partsIn(at, zone);
  const ago = dayNumber(partsIn(now, zone)) - dayNumber(a);
  if (ago <= 0) return tr('threads:group.today');
  if (ago === 1) return tr('threads:group.yesterday');
  if (ago < 7) return tr('threads:group.last7Days');
  if (ago < 30) return tr('threads:group.last30Days');
  return tr('threads:group.month', { month: MONTHS[a.month - 1], year: a.year });
}

/**
 * The group's label in English: what tells groups apart and what the next page's `group=` carries (so a link made in
 * one language still works in another); the page shows `heading`, translated.
 */
export const groupLabel = (at: Date, now: Date, zone?: string): string => english(groupHeading(at, now, zone));

export type ThreadListView = {
  groups: Array<{ label: string; heading: Translatable; threads: Array<{ id: string; title: string | null; pinned?: boolean }> }>;
  nextUrl: string | null; lastGroup: string | null;
};

/**
 * The list: on its first page the pinned threads as a group of their own ("Pinned") above the newest; `archived`:
 * the Archived view instead (/archived), paged the same way.
 */
export async function threadListView(db: Db, url: UrlFor, userId: number, q: { cursor?: unknown; group?: unknown } = {}, now = new Date(),
  opts: { archived?: boolean; zone?: string } = {}): Promise<ThreadListView> {
  const cursor = decodeCursor(q.cursor);
  // The first page (every page's sidebar) reads the pinned and the others in one query.
  const { threads, nextCursor, pinned } = cursor || opts.archived
    ? { ...await listThreads(db, userId, { cursor, limit: THREADS_PER_PAGE, archived: opts.archived }), pinned: [] }
    : await listFirstPage(db, userId, THREADS_PER_PAGE);
  const groups: ThreadListView['groups'] = pinned.length ? [{ label: 'Pinned', heading: tr('threads:group.pinned'), threads: pinned.map((t) => ({ id: t.id, title: t.title, pinned: true })) }] : [];
  for (const t of threads) {
    const heading = groupHeading(t.updatedAt, now, opts.zone);
    const label = english(heading);
    if (groups.at(-1)?.label !== label) groups.push({ label, heading, threads: [] });
    groups.at(-1)!.threads.push({ id: t.id, title: t.title });
  }
  const last = groups.at(-1)?.label ?? null;
  const nextUrl = nextCursor ? url(`${opts.archived ? '/archived' : '/threads'}?cursor=${nextCursor}&group=${encodeURIComponent(last ?? '')}`) : null;
  return { groups, nextUrl, lastGroup: typeof q.group === 'string' && q.group ? q.group : null };
}

export class ThreadInputError extends Error {
  // Languages (issue 17): `text` is what the person reads (a catalogue Text); `message` its English (the API, logs).
  constructor(public text: Translatable, public field: string) { super(english(text)); }
}

export function cleanTitle(raw: unknown): string {
  const title = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  if (!title) throw new ThreadInputError(tr('threads:rename.titleRequired'), 'title');
  if (title.length > 200) throw new ThreadInputError(tr('threads:rename.titleTooLong'), 'title');
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
