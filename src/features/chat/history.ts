// What Mistral is sent of a thread's path: each message as a turn, a question's files as chunks after its text.
// Images go as image_url chunks (data URIs) to a model that can see, at most IMAGES_PER_REQUEST in one request (Mistral's
// limit): the newest ones; an older image, or any image for a model known to be blind, is named in a text chunk
// instead. Documents go as the text their OCR gave at upload, text files as their text, fenced with the file's name.
import type { Db } from '../../db.ts';
import type { Attachment } from '../files/files.repo.ts';
import { textsOf } from '../files/files.repo.ts';
import { databaseStore, readAll } from '../files/storage.ts';
import type { ModelCatalogue } from '../settings/models.ts';
import type { Message } from './messages.repo.ts';

export const IMAGES_PER_REQUEST = 8;
/** Mistral's limit for one image in a request (the decoded bytes). */
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

type TextChunk = { type: 'text'; text: string };
type ImageChunk = { type: 'image_url'; imageUrl: string };
type UserTurn = { role: 'user'; content: string | Array<TextChunk | ImageChunk> };

/** Whether a model can see images, from /v1/models: null when the list does not say (then Mistral decides). */
export async function canSee(catalogue: ModelCatalogue | undefined, apiKey: string | null, model: string): Promise<boolean | null> {
  if (!catalogue || !apiKey) return null;
  const listed = await catalogue.list(apiKey);
  if (listed.status !== 'ok' || listed.source !== 'endpoint') return null;
  const card = listed.models.find((m) => m.id === model || m.aliases.includes(model));
  return card ? card.capabilities.includes('vision') : null;
}

/** A fence longer than any run of backticks in the text, so a file's own fences cannot close it. */
function fenced(name: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `File ${name}:\n${fence}\n${text}\n${fence}`;
}

/**
 * The user turns of `history` that carry files, as chunk lists, by message id. `vision`: what canSee said for the
 * model answering now.
 */
export async function userTurnsWithFiles(db: Db, history: Message[], vision: boolean | null): Promise<Map<number, UserTurn>> {
  const carrying = history.filter((m) => m.role === 'user' && m.attachments.length);
  const turns = new Map<number, UserTurn>();
  if (!carrying.length) return turns;
  const all = carrying.flatMap((m) => m.attachments);
  const texts = await textsOf(db, all.filter((a) => a.kind !== 'image').map((a) => a.id));
  // The newest images are sent; the budget is spent from the end of the path backwards.
  const images = all.filter((a) => a.kind === 'image');
  const sent = new Set(vision === false ? [] : images.slice(-IMAGES_PER_REQUEST).filter((a) => a.size <= IMAGE_MAX_BYTES).map((a) => a.id));
  const store = databaseStore(db);
  for (const m of carrying) {
    const chunks: Array<TextChunk | ImageChunk> = [{ type: 'text', text: m.content }];
    for (const a of m.attachments) chunks.push(await chunkOf(a, texts, sent, vision, store));
    turns.set(m.id, { role: 'user', content: chunks });
  }
  return turns;
}

async function chunkOf(a: Attachment, texts: Map<number, string>, sent: Set<number>, vision: boolean | null, store: ReturnType<typeof databaseStore>): Promise<TextChunk | ImageChunk> {
  if (a.kind === 'text') return { type: 'text', text: fenced(a.name, texts.get(a.id) ?? '') };
  if (a.kind === 'document') {
    const pages = a.pages ? ` (${a.pages} page${a.pages === 1 ? '' : 's'})` : '';
    return { type: 'text', text: `Document ${a.name}${pages}, as read by OCR:\n\n${texts.get(a.id) ?? ''}` };
  }
  if (sent.has(a.id)) {
    const bytes = await readAll(store, a.id, 'original');
    if (bytes.length) return { type: 'image_url', imageUrl: `data:${a.mime};base64,${bytes.toString('base64')}` };
  }
  const why = vision === false ? 'this model cannot see images' : `Mistral takes at most ${IMAGES_PER_REQUEST} images in one request, so only the newest are sent`;
  return { type: 'text', text: `[Image ${a.name} is not sent again: ${why}.]` };
}
