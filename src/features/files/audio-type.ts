// What kind of audio a file is, from its first bytes (magic numbers), never from its name or the type the browser
// declared: the containers browsers record (WebM, Ogg, MP4/M4A) and the files people upload (MP3, WAV, FLAC, AAC).
import { open } from 'node:fs/promises';

export type AudioType = { ext: string; mime: string };

const ascii = (b: Buffer, at: number, s: string) => b.length >= at + s.length && b.toString('latin1', at, at + s.length) === s;

export function audioTypeOf(head: Buffer): AudioType | null {
  // Matroska/WebM (Chrome's and Firefox's MediaRecorder): the EBML header.
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { ext: 'webm', mime: 'audio/webm' };
  if (ascii(head, 0, 'OggS')) return { ext: 'ogg', mime: 'audio/ogg' };
  if (ascii(head, 0, 'fLaC')) return { ext: 'flac', mime: 'audio/flac' };
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return { ext: 'wav', mime: 'audio/wav' };
  // ISO base media (Safari's MediaRecorder, .m4a voice memos): a `ftyp` box first.
  if (ascii(head, 4, 'ftyp')) return { ext: 'm4a', mime: 'audio/mp4' };
  // MP3: an ID3 tag, or straight into an MPEG audio frame (11 sync bits; layer bits not 00, which is ADTS AAC).
  if (ascii(head, 0, 'ID3')) return { ext: 'mp3', mime: 'audio/mpeg' };
  if (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0) {
    return (head[1] & 0x06) === 0 ? { ext: 'aac', mime: 'audio/aac' } : { ext: 'mp3', mime: 'audio/mpeg' };
  }
  return null;
}

/** The audio type of a file on disk (its first 16 bytes). */
export async function audioTypeOfFile(file: string): Promise<AudioType | null> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await fh.read(head, 0, 16, 0);
    return audioTypeOf(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
