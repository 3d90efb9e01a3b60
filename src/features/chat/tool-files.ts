// Files a built-in connector made (image generation's pictures; issue 14) come as tool_file chunks naming a file on
// Mistral's side. Once the answer ends they are downloaded with the Files API (`GET /v1/files/{id}/content`) and
// stored like an upload (files/*: the bytes decide the type, a thumbnail for the page), as attachments of the ANSWER
// message, so the page, a reload, a share's snapshot and the JSON API show them like any attached image.
import type { Mistral } from '@mistralai/mistralai';
import type { Db } from '../../db.ts';
import { detectFile } from '../files/detect.ts';
import { attachmentOf, insertFile, linkFiles, type Attachment, type NewFile } from '../files/files.repo.ts';
import { databaseStore, piecesOf } from '../files/storage.ts';
import { makeThumbnail } from '../files/thumbnail.ts';
import type { ToolFile } from './conversation-stream.ts';

/** Mistral's generated images are a few MB at most; anything far larger is not what we asked for. */
const MAX_TOOL_FILE_BYTES = 20 * 1024 * 1024;
const MAX_TOOL_FILES = 8;

async function readCapped(stream: ReadableStream<Uint8Array>, max: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.length;
    if (size > max) { await reader.cancel().catch(() => {}); return null; }
    parts.push(Buffer.from(next.value));
  }
  return Buffer.concat(parts);
}

/**
 * Downloads and stores the images among `files`, links them to the answer `messageId` and returns what the answer
 * shows of them. A file that fails to download or is not an image is skipped with a sentence in `problems`.
 */
export async function storeToolFiles(db: Db, client: Mistral, userId: number, messageId: number, files: ToolFile[],
  options: { signal: AbortSignal }): Promise<{ attachments: Attachment[]; problems: string[] }> {
  const attachments: Attachment[] = [];
  const problems: string[] = [];
  const store = databaseStore(db);
  for (const [i, f] of files.slice(0, MAX_TOOL_FILES).entries()) {
    const name = (f.name || `image-${i + 1}`).replace(/[\\/\0]/g, '_').slice(0, 200);
    try {
      const bytes = await readCapped(await client.files.download({ fileId: f.fileId }, { ...options, retries: { strategy: 'none' } }), MAX_TOOL_FILE_BYTES);
      if (!bytes) { problems.push(`${name} was too large to keep.`); continue; }
      const detected = detectFile(bytes, name);
      if (detected.kind !== 'image') { problems.push(`${name} is not an image this app can show.`); continue; }
      const t = await makeThumbnail(bytes);
      const file: NewFile = {
        userId, name, mime: detected.mime, kind: 'image', size: bytes.length, pages: null, text: null,
        width: t.sourceWidth, height: t.sourceHeight, thumbWidth: t.width, thumbHeight: t.height,
      };
      const id = await db.transaction(async (trx) => {
        const fileId = await insertFile(trx, file);
        await store.write(trx, fileId, 'original', piecesOf(bytes));
        await store.write(trx, fileId, 'thumbnail', piecesOf(t.data));
        return fileId;
      });
      attachments.push(attachmentOf({ ...file, id, createdAt: new Date(), sentAt: null }));
    } catch (err) {
      if (options.signal.aborted) break;
      problems.push(`${name} could not be downloaded from Mistral (${String((err as Error).message ?? err).slice(0, 200)}).`);
    }
  }
  if (attachments.length) await db.transaction((trx) => linkFiles(trx, messageId, attachments));
  return { attachments, problems };
}
