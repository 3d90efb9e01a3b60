// A message's files, as a send gathers them: the files kept from a refused send (`keep`, chips in the composer) and the
// new uploads, each checked by its bytes (files/detect.ts), given a thumbnail or read by OCR, and stored. Whatever is
// refused, the rest is stored as pending and handed back, so the composer shows it again beside the typed text.
import { readFile } from 'node:fs/promises';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import type { RefusedUpload, UploadedFile } from '../../http/multipart.ts';
import { detectFile } from '../files/detect.ts';
import { attachmentOf, bytesOfUser, insertFile, pendingFiles, type Attachment, type NewFile } from '../files/files.repo.ts';
import { readDocument } from '../files/ocr.ts';
import { databaseStore, piecesOf } from '../files/storage.ts';
import { makeThumbnail, ThumbnailError } from '../files/thumbnail.ts';
import type { ModelCatalogue } from '../settings/models.ts';
import { getSettings } from '../settings/settings.repo.ts';
import type { ModelRequest } from './model-choice.ts';
import { sizeText } from '../../i18n/size.ts';
import { describeUpstreamError, NO_KEY_MESSAGE } from './upstream-errors.ts';
import { english, isText, tr, type Text, type Translatable } from '../../i18n/text.ts';

export type FilesInput = { uploads: UploadedFile[]; refused: RefusedUpload[]; keep?: unknown };
type Deps = { db: Db; config: Config; catalogue?: ModelCatalogue };

/**
 * Files were refused: `kept` is every file stored for this message so far (shown again in the composer). Languages
 * (issue 17): `text` is what the person reads (files namespace), `message` its English.
 */
export class AttachmentsRefused extends Error {
  constructor(public text: Translatable, public kept: Attachment[], public tooLarge: boolean) { super(english(text)); }
}


export function keptIds(raw: unknown): number[] {
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null || raw === '' ? [] : [raw];
  return [...new Set(list.map(String).filter((v) => /^\d{1,15}$/.test(v)).map(Number))];
}

export async function gatherAttachments(d: Deps, userId: number, input: FilesInput, choice: ModelRequest): Promise<Attachment[]> {
  const f = d.config.files;
  const kept = (await pendingFiles(d.db, userId, keptIds(input.keep))).map(attachmentOf);
  if (!input.uploads.length && !input.refused.length) {
    await checkVision(d, userId, choice, kept);
    return kept;
  }
  const problems: Text[] = [];
  let tooLarge = false;
  const tooBig = input.refused.filter((r) => r.reason === 'too_big').map((r) => r.name);
  if (tooBig.length) { tooLarge = true; problems.push(tr('files:refused.tooBig', { names: list(tooBig), count: tooBig.length, max: sizeText(f.maxFileBytes) })); }
  const overCount = input.refused.some((r) => r.reason === 'too_many') || kept.length + input.uploads.length > f.maxPerMessage;
  const room = Math.max(0, f.maxPerMessage - kept.length);
  const uploads = input.uploads.slice(0, room);
  if (overCount) {
    tooLarge = true;
    const left = [...input.uploads.slice(room).map((u) => u.name), ...input.refused.filter((r) => r.reason === 'too_many' && r.name).map((r) => r.name)];
    problems.push(left.length ? tr('files:refused.tooManyLeft', { max: f.maxPerMessage, names: list(left), count: left.length })
      : tr('files:refused.tooMany', { max: f.maxPerMessage }));
  }
  let used = await bytesOfUser(d.db, userId);
  const stored: Attachment[] = [];
  for (const upload of uploads) {
    if (used + upload.size > f.maxBytesPerUser) {
      tooLarge = true;
      problems.push(tr('files:refused.noRoom', { name: upload.name, max: sizeText(f.maxBytesPerUser) }));
      continue;
    }
    const made = await storeUpload(d, userId, upload, choice);
    if (isText(made)) { problems.push(made); continue; }
    used += upload.size;
    stored.push(made);
  }
  const all = [...kept, ...stored];
  if (problems.length) throw new AttachmentsRefused(tr('files:refused.rest', { problems: joined(problems) }), all, tooLarge);
  await checkVision(d, userId, choice, all);
  return all;
}

const list = (names: string[]) => names.join(', ');
/** Sentences one after another, each still a Text (translated where shown): "{{first}} {{then}}" nested. */
const joined = (texts: Text[]): Text => texts.slice(0, -1).reduceRight((then, first) => tr('files:refused.then', { first, then }), texts[texts.length - 1]);

/** Several sentences as one Text (each translated where shown): "{{first}} {{rest}}", nested. */
const sentences = (all: Translatable[]): Translatable => all.reduceRight((rest, first) => tr('chat:files.sentences', { first, rest }));

/** Stores one upload (pending until a message carries it); a sentence for the person when it cannot be used. */
async function storeUpload(d: Deps, userId: number, upload: UploadedFile, choice: ModelRequest): Promise<Attachment | Text> {
  const bytes = await readFile(upload.path);
  const detected = detectFile(bytes, upload.name);
  if (detected.kind === 'refused') return detected.reason;
  const file: NewFile = {
    userId, name: upload.name, mime: detected.mime, kind: detected.kind, size: bytes.length, pages: null,
    width: null, height: null, thumbWidth: null, thumbHeight: null, text: null,
  };
  let thumbnail: Buffer | null = null;
  if (detected.kind === 'image') {
    try {
      const t = await makeThumbnail(bytes);
      Object.assign(file, { width: t.sourceWidth, height: t.sourceHeight, thumbWidth: t.width, thumbHeight: t.height });
      thumbnail = t.data;
    } catch (err) {
      if (err instanceof ThumbnailError) return tr('files:refused.image', { name: upload.name, reason: err.text });
      throw err;
    }
  } else if (detected.kind === 'document') {
    // Read once, here: the text is what the model reads of the document from now on (and what search will find).
    if (!choice.apiKey) return tr('files:refused.unread', { name: upload.name, reason: NO_KEY_MESSAGE });
    try {
      const read = await readDocument({ apiKey: choice.apiKey, serverUrl: d.config.mistral.serverUrl, model: d.config.files.ocrModel }, { bytes, mime: detected.mime, name: upload.name });
      file.text = read.markdown;
      file.pages = read.pages;
    } catch (err) {
      return tr('files:refused.ocrFailed', { name: upload.name, reason: describeUpstreamError(err) });
    }
  } else {
    file.text = detected.text;
  }
  const store = databaseStore(d.db);
  const id = await d.db.transaction(async (trx) => {
    const fileId = await insertFile(trx, file);
    await store.write(trx, fileId, 'original', piecesOf(bytes));
    if (thumbnail) await store.write(trx, fileId, 'thumbnail', piecesOf(thumbnail));
    return fileId;
  });
  return attachmentOf({ ...file, id, createdAt: new Date(), sentAt: null });
}

/**
 * Images go only to a model that can see (`vision` in /v1/models). Unknown (no list, or a model it does not name),
 * the images go and Mistral decides.
 */
async function checkVision(d: Deps, userId: number, choice: ModelRequest, files: Attachment[]): Promise<void> {
  if (!files.some((f) => f.kind === 'image') || !choice.apiKey || !d.catalogue) return;
  const listed = await d.catalogue.list(choice.apiKey);
  if (listed.status !== 'ok' || listed.source !== 'endpoint') return;
  const card = listed.models.find((m) => m.id === choice.model || m.aliases.includes(choice.model));
  if (!card || card.capabilities.includes('vision')) return;
  // Named from the person's fast list (the model menu), else from all the models the key can use.
  const sees = (id: string) => listed.models.some((m) => (m.id === id || m.aliases.includes(id)) && m.capabilities.includes('vision'));
  const fast = (await getSettings(d.db, userId)).fastModels.filter(sees);
  const seeing = fast.length ? fast : listed.models.filter((m) => m.capabilities.includes('vision')).map((m) => m.id).slice(0, 4);
  throw new AttachmentsRefused(seeing.length ? tr('files:refused.blindWithOthers', { model: choice.model, models: list(seeing) })
    : tr('files:refused.blind', { model: choice.model }), files, false);
}
