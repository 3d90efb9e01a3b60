// Files: who owns them, what they are, and which messages carry them (bytes: storage.ts). Every read is scoped to
// its owner except findFileById, which the share page uses after checking that the share holds the file.
import type { Db } from '../../db.ts';
import { toDate } from '../../lib/time.ts';
import { fileOwner } from '../search/owner.ts';

export type FileKind = 'image' | 'document' | 'text';
export type StoredFile = {
  id: number; userId: number; name: string; mime: string; kind: FileKind; size: number; pages: number | null;
  width: number | null; height: number | null; thumbWidth: number | null; thumbHeight: number | null;
  createdAt: Date; sentAt: Date | null;
};
/** What a message shows of a file (messages.attachments): enough for the page without reading the files table. */
export type Attachment = { id: number; name: string; mime: string; kind: FileKind; size: number; pages?: number; tw?: number; th?: number };

const COLUMNS = ['id', 'user_id', 'name', 'mime', 'kind', 'size', 'pages', 'width', 'height', 'thumb_width', 'thumb_height', 'created_at', 'sent_at'];

function toFile(r: Record<string, unknown>): StoredFile {
  const n = (v: unknown) => (v == null ? null : Number(v));
  return {
    id: Number(r.id), userId: Number(r.user_id), name: String(r.name), mime: String(r.mime), kind: r.kind as FileKind, size: Number(r.size),
    pages: n(r.pages), width: n(r.width), height: n(r.height), thumbWidth: n(r.thumb_width), thumbHeight: n(r.thumb_height),
    createdAt: toDate(r.created_at), sentAt: r.sent_at == null ? null : toDate(r.sent_at),
  };
}

export function attachmentOf(f: StoredFile): Attachment {
  return {
    id: f.id, name: f.name, mime: f.mime, kind: f.kind, size: f.size,
    ...(f.pages != null ? { pages: f.pages } : {}), ...(f.thumbWidth ? { tw: f.thumbWidth, th: f.thumbHeight ?? f.thumbWidth } : {}),
  };
}

export type NewFile = Omit<StoredFile, 'id' | 'createdAt' | 'sentAt'> & { text: string | null };

export async function insertFile(db: Db, f: NewFile): Promise<number> {
  const [id] = await db('files').insert({
    user_id: f.userId, search_owner: fileOwner(f.userId), name: f.name, mime: f.mime, kind: f.kind, size: f.size, pages: f.pages, width: f.width, height: f.height,
    thumb_width: f.thumbWidth, thumb_height: f.thumbHeight, text: f.text, created_at: new Date(), sent_at: null,
  });
  return Number(id);
}

export async function findOwnFile(db: Db, userId: number, id: number): Promise<StoredFile | null> {
  const row = await db('files').where({ id, user_id: userId }).first(COLUMNS);
  return row ? toFile(row) : null;
}

export async function findFileById(db: Db, id: number): Promise<StoredFile | null> {
  const row = await db('files').where({ id }).first(COLUMNS);
  return row ? toFile(row) : null;
}

/** The user's files among `ids` that no message carries yet (a refused send's, kept for the next try), in `ids` order. */
export async function pendingFiles(db: Db, userId: number, ids: number[]): Promise<StoredFile[]> {
  if (!ids.length) return [];
  const rows = await db('files').where({ user_id: userId }).whereNull('sent_at').whereIn('id', ids).select(COLUMNS);
  const byId = new Map(rows.map((r) => [Number(r.id), toFile(r)]));
  return ids.map((id) => byId.get(id)).filter((f): f is StoredFile => Boolean(f));
}

/** All of a user's files together, in bytes (the FILES_MAX_BYTES_PER_USER limit). */
export async function bytesOfUser(db: Db, userId: number): Promise<number> {
  const row = await db('files').where({ user_id: userId }).sum({ total: 'size' }).first();
  return Number(row?.total ?? 0);
}

/** Links files to a message (inside the caller's transaction) and records what the message shows of them. */
export async function linkFiles(trx: Db, messageId: number, files: Attachment[]): Promise<void> {
  if (!files.length) return;
  await trx('message_files').insert(files.map((f, i) => ({ message_id: messageId, file_id: f.id, position: i })));
  await trx('files').whereIn('id', files.map((f) => f.id)).whereNull('sent_at').update({ sent_at: new Date() });
  await trx('messages').where({ id: messageId }).update({ attachments: JSON.stringify(files) });
}

/** The text a document's OCR or a text file gave, by file id (what the model reads). */
export async function textsOf(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db('files').whereIn('id', ids).select('id', 'text');
  return new Map(rows.map((r) => [Number(r.id), String(r.text ?? '')]));
}

export async function textOfOwnFile(db: Db, userId: number, id: number): Promise<string | null> {
  const row = await db('files').where({ id, user_id: userId }).first('text');
  return row ? String(row.text ?? '') : null;
}

/** Files chosen in a refused send are kept this long for the next try. */
export const PENDING_KEEP_MS = 24 * 3600 * 1000;
export const pendingCutoff = (now = Date.now()) => new Date(now - PENDING_KEEP_MS);

/**
 * Deletes files no message carries any more: those left by deleted messages (sent before) at once, and pending ones
 * (chosen in a refused send) once older than `pendingBefore`. Their bytes go with them (foreign keys).
 */
export async function purgeUnlinkedFiles(db: Db, opts: { userId?: number; pendingBefore: Date }): Promise<number> {
  const q = db('files').whereNotExists(db('message_files').whereRaw('message_files.file_id = files.id').select(db.raw('1')))
    .where((w) => { w.whereNotNull('sent_at').orWhere('created_at', '<', opts.pendingBefore); });
  if (opts.userId !== undefined) q.where({ user_id: opts.userId });
  return q.delete();
}
