// Audio files for the dictation tests: the first bytes of each container (what the server checks), then a marker the
// fake Mistral transcribes (`SAY:<words>`, see fake-mistral-audio.ts), padded to a size.
import type { Dialect } from '../../src/db.ts';
import type { Db } from '../../src/db.ts';

const HEADS: Record<string, Buffer> = {
  webm: Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]),
  ogg: Buffer.from('OggS\0\x02\0\0\0\0\0\0\0\0', 'latin1'),
  mp3: Buffer.from('ID3\x04\0\0\0\0\0\0', 'latin1'),
  mp3frame: Buffer.from([0xff, 0xfb, 0x90, 0x64, 0x00]),
  wav: Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WAVEfmt ')]),
  m4a: Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A \0\0\0\0')]),
  flac: Buffer.from('fLaC\0\0\0\x22', 'latin1'),
};
export const AUDIO_KINDS = Object.keys(HEADS);

/** A file that starts like `kind` audio and says `words` to the fake (or nothing: it is then "(n bytes of audio)"). */
export function audioFile(kind: keyof typeof HEADS | string, words?: string, size = 0): Buffer {
  const body = Buffer.concat([HEADS[kind], Buffer.from([0, 0]), words ? Buffer.from(`SAY:${words}\0`, 'latin1') : Buffer.alloc(0)]);
  return size > body.length ? Buffer.concat([body, Buffer.alloc(size - body.length, 0x55)]) : body;
}

/** Row counts of every table of the app's database but sessions (a request may touch its own session row). */
export async function rowCounts(db: Db, dialect: Dialect): Promise<Record<string, number>> {
  const tables: string[] = dialect === 'sqlite'
    ? (await db('sqlite_master').where({ type: 'table' }).whereNot('name', 'like', 'sqlite_%').select('name')).map((r: { name: string }) => r.name)
    : (await db.raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0]);
  const out: Record<string, number> = {};
  for (const name of tables.sort()) {
    if (name === 'sessions') continue;
    const [{ n }] = await db(name).count({ n: '*' });
    out[name] = Number(n);
  }
  return out;
}
