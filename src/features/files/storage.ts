// Where a file's bytes live. One small interface, so an S3-compatible store can be added later; today the bytes are
// in the database (both dialects), in parts of 256 KB: every instance sees them, a part at a time is written and read
// (nothing holds a whole 10 MB file in one query), and deleting a file row deletes its parts (foreign key).
import type { Db } from '../../db.ts';

export type FilePart = 'original' | 'thumbnail';

export interface FileStore {
  /** Writes a part's bytes, in order; `db` may be a transaction so the file row and its bytes land together. */
  write(db: Db, fileId: number, part: FilePart, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void>;
  /** The bytes of a part, in order (nothing when the file has no such part). */
  read(fileId: number, part: FilePart): AsyncIterable<Buffer>;
}

export const CHUNK_BYTES = 256 * 1024;

/** A buffer in store-sized pieces. */
export function* piecesOf(bytes: Buffer): Iterable<Buffer> {
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
}

export function databaseStore(db: Db): FileStore {
  return {
    async write(trx, fileId, part, chunks) {
      let seq = 0;
      for await (const data of chunks) await trx('file_chunks').insert({ file_id: fileId, part, seq: seq++, data });
    },
    async *read(fileId, part) {
      for (let seq = 0; ; seq++) {
        const row = await db('file_chunks').where({ file_id: fileId, part, seq }).first('data');
        if (!row) return;
        yield Buffer.from(row.data as Uint8Array);
      }
    },
  };
}

export async function readAll(store: FileStore, fileId: number, part: FilePart): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of store.read(fileId, part)) parts.push(p);
  return Buffer.concat(parts);
}
