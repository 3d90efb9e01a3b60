// What an uploaded file is, from its bytes (magic numbers), never from its name: a name is what the sender claims,
// the bytes are what a browser or Mistral would actually read. The name is used for one thing only: a file that
// claims to be an image or a document but is not one is refused, so a renamed HTML page never passes for a photo.
import { tr, type Text } from '../../i18n/text.ts';

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const PPTX_MIME = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
export type DocumentMime = 'application/pdf' | typeof DOCX_MIME | typeof PPTX_MIME;

export type Detected =
  | { kind: 'image'; mime: ImageMime }
  | { kind: 'document'; mime: DocumentMime }
  | { kind: 'text'; mime: 'text/plain'; text: string }
  // Languages (issue 17): the reason is a catalogue Text, said in the reader's language where it is shown.
  | { kind: 'refused'; reason: Text };

const startsWith = (b: Buffer, sig: number[] | string, at = 0): boolean => {
  const bytes = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : Buffer.from(sig);
  return b.length >= at + bytes.length && b.subarray(at, at + bytes.length).equals(bytes);
};

function imageMime(b: Buffer): ImageMime | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, 'GIF87a') || startsWith(b, 'GIF89a')) return 'image/gif';
  if (startsWith(b, 'RIFF') && startsWith(b, 'WEBP', 8)) return 'image/webp';
  return null;
}

/**
 * The entry names of a ZIP archive, read from its central directory (found through the end-of-central-directory
 * record at the end of the file, as unzip does), or null when the bytes are not a readable ZIP. No decompression:
 * the names are stored uncompressed.
 */
export function zipEntryNames(b: Buffer): string[] | null {
  if (!startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return null;
  // The end record is 22 bytes plus a comment of at most 65535 bytes; search backwards for its signature.
  const stop = Math.max(0, b.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = b.length - 22; i >= stop; i--) {
    if (b.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) return null;
  const count = b.readUInt16LE(eocd + 10);
  let at = b.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > b.length || b.readUInt32LE(at) !== 0x02014b50) return null;
    const nameLength = b.readUInt16LE(at + 28);
    const extraLength = b.readUInt16LE(at + 30);
    const commentLength = b.readUInt16LE(at + 32);
    if (at + 46 + nameLength > b.length) return null;
    names.push(b.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function documentMime(b: Buffer): DocumentMime | null {
  if (startsWith(b, '%PDF-')) return 'application/pdf';
  const names = zipEntryNames(b);
  if (!names) return null;
  // Office Open XML: the main part lives under word/ (Word) or ppt/ (PowerPoint); Excel (xl/) is not read by OCR.
  if (names.some((n) => n.startsWith('word/'))) return DOCX_MIME;
  if (names.some((n) => n.startsWith('ppt/'))) return PPTX_MIME;
  return null;
}

/** What a name claims, for the refusal sentence; null when the extension claims nothing binary. */
const IMAGE = tr('files:claim.image');
const CLAIMS: Record<string, Text> = {
  png: IMAGE, jpg: IMAGE, jpeg: IMAGE, gif: IMAGE, webp: IMAGE,
  pdf: tr('files:claim.pdf'), docx: tr('files:claim.word'), pptx: tr('files:claim.powerPoint'),
};

/** Text that is not UTF-8 (Latin-1, Windows-1252): mostly (70%) printable ASCII, no NUL. A hint worth giving. */
function looksLikeLegacyText(b: Buffer): boolean {
  let ascii = 0;
  for (const c of b) if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) ascii++;
  return ascii / b.length >= 0.7;
}

export function detectFile(bytes: Buffer, name: string): Detected {
  // A name is shown back to the person who chose it; control characters would only garble the sentence.
  const shown: string | Text = name.replace(/[\u0000-\u001f\u007f]/g, '').trim() || tr('files:refused.thisFile');
  const image = imageMime(bytes);
  if (image) return { kind: 'image', mime: image };
  const doc = documentMime(bytes);
  if (doc) return { kind: 'document', mime: doc };

  if (bytes.length === 0) return { kind: 'refused', reason: tr('files:refused.empty', { name: shown }) };
  const text = bytes.includes(0) ? null : decodeUtf8(bytes);
  const claim = typeof shown === 'string' ? CLAIMS[/\.([a-z0-9]+)$/i.exec(shown)?.[1]?.toLowerCase() ?? ''] : undefined;
  if (claim) {
    return { kind: 'refused', reason: tr(text !== null ? 'files:refused.claimText' : 'files:refused.claimOther', { name: shown, claim }) };
  }
  if (text !== null) return { kind: 'text', mime: 'text/plain', text };
  if (!bytes.includes(0) && looksLikeLegacyText(bytes)) {
    return { kind: 'refused', reason: tr('files:refused.notUtf8', { name: shown }) };
  }
  return { kind: 'refused', reason: tr('files:refused.unreadable', { name: shown }) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The text, with a byte order mark dropped (TextDecoder does that unless told not to) and line ends as they are. */
function decodeUtf8(bytes: Buffer): string | null {
  try { return utf8.decode(bytes); } catch { return null; }
}
