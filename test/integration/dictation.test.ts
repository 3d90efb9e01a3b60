// Dictation through the JSON API (POST /api/transcribe): the recording goes to the fake Mistral through the real SDK,
// the text comes back; limits, type checks by magic numbers, Mistral's failures worded like chat's, CSRF, and nothing
// stored. The composer's routes (JavaScript off, and htmx) are in dictation-pages.test.ts.
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeUpstreamError } from '../../src/features/chat/upstream-errors.ts';
import { transcribe } from '../../src/features/files/transcribe.ts';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, waitFor, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { bearer } from '../support/shares.ts';
import { AUDIO_KINDS, audioFile, rowCounts } from '../support/audio.ts';

const MAX = 4096;

describe.each(DIALECTS)('dictation API on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0', AUDIO_MAX_BYTES: String(MAX), MISTRAL_TRANSCRIPTION_MODEL: 'voxtral-test' });
    s = await signIn(t);
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); t.fake.audio.reset(); t.fake.validKeys = null; });

  const post = (file?: Buffer, name = 'note.webm', type = 'audio/webm') => {
    const req = request(t.app).post('/api/transcribe').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf);
    return file ? req.attach('audio', file, { filename: name, contentType: type }) : req.field('nothing', 'here');
  };

  it('sends the recording\'s bytes to Mistral with the configured model and the server\'s key, and answers {text}', async () => {
    const bytes = audioFile('webm', 'Hello from the microphone', 2000);
    const res = await post(bytes);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ text: 'Hello from the microphone' });
    const [sent] = t.fake.audio.requests;
    expect(t.fake.audio.requests).toHaveLength(1);
    expect(sent.headers.authorization).toBe('Bearer test-key');
    expect(sent.body.fields.model).toBe('voxtral-test');
    // The type found in the bytes, not the SDK's guess from the name; the very bytes uploaded.
    expect(sent.body.file).toMatchObject({ field: 'file', name: 'note.webm', type: 'audio/webm', size: 2000 });
    expect(sent.body.file!.bytes.equals(bytes)).toBe(true);
  });

  it('reads every common audio container by its first bytes, whatever its name and declared type', async () => {
    for (const kind of AUDIO_KINDS) {
      const res = await post(audioFile(kind, undefined, 1500), 'upload.bin', 'application/octet-stream');
      expect(res.status, kind).toBe(200);
      expect(res.body.text).toBe('(1500 bytes of audio)');
    }
    expect(t.fake.audio.requests.map((r) => r.body.file!.type)).toEqual(
      ['audio/webm', 'audio/ogg', 'audio/mpeg', 'audio/mpeg', 'audio/wav', 'audio/mp4', 'audio/flac']);
  });

  it('takes a Bearer token without a CSRF token, and uses the user\'s own key when they have one', async () => {
    const other = await signIn(t);
    const put = await request(t.app).put('/api/settings').set(bearer(other)).send({ apiKey: 'own-key-1234567890abcdef' });
    expect(put.status).toBe(200);
    const res = await request(t.app).post('/api/transcribe').set(bearer(other)).attach('audio', audioFile('ogg', 'my own key'), 'a.ogg');
    expect(res.status).toBe(200);
    expect(res.body.text).toBe('my own key');
    expect(t.fake.audio.requests.at(-1)!.headers.authorization).toBe('Bearer own-key-1234567890abcdef');
  });

  it('refuses a file over AUDIO_MAX_BYTES with 413 and the limit in words, before Mistral', async () => {
    const res = await post(audioFile('webm', 'too long', MAX + 1));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('too_large');
    expect(res.body.error.message).toContain('at most 4 KB');
    expect((await post(audioFile('webm', 'just fits', MAX))).status).toBe(200);
    expect(t.fake.audio.requests).toHaveLength(1);
  });

  it('refuses what is not audio (422) and a form without a file (400), before Mistral', async () => {
    const html = Buffer.from('<!doctype html><script>alert(1)</script>SAY:hi');
    const res = await post(html, 'voice.webm', 'audio/webm');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'invalid', fields: { audio: 'not audio' } });
    expect(res.body.error.message).toMatch(/not audio/);
    const none = await post();
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/audio file/);
    expect(t.fake.audio.requests).toHaveLength(0);
  });

  it('says Mistral\'s 401, 429 and 500 in the very words a failed chat answer uses', async () => {
    // The words of a chat answer that failed with the same status, read back from the API.
    const chatWords = async (status: number) => {
      const id = (await request(t.app).post('/api/thread').set(bearer(s)).send({})).body.thread.id as string;
      if (status === 401) t.fake.validKeys = new Set(['another-key']); else t.fake.enqueue({ status });
      await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(s)).send({ content: 'hi' });
      await t.gens.idle();
      t.fake.validKeys = null;
      return (await request(t.app).get(`/api/thread/${id}`).set(bearer(s))).body.messages.at(-1).error as string;
    };
    for (const [status, answer, code] of [[401, 502, 'upstream_error'], [429, 429, 'rate_limited'], [500, 503, 'unavailable']] as const) {
      const words = await chatWords(status);
      expect(words).toBe(describeUpstreamError({ statusCode: status }));
      if (status === 401) t.fake.validKeys = new Set(['another-key']); else t.fake.audio.enqueue({ status });
      const res = await post(audioFile('webm', 'x'));
      t.fake.validKeys = null;
      expect(res.status, String(status)).toBe(answer);
      expect(res.body.error).toEqual({ code, message: words });
    }
  });

  it('waits for a slow Mistral; a timeout is worded like chat\'s', async () => {
    t.fake.audio.enqueue({ firstTokenDelayMs: 400 });
    const started = Date.now();
    const res = await post(audioFile('wav', 'slowly'));
    expect(res.status).toBe(200);
    expect(res.body.text).toBe('slowly');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    // The SDK call itself, against a Mistral that never answers: its timeout is "unavailable".
    t.fake.audio.enqueue({ hang: true });
    const err = await transcribe({ apiKey: 'k', serverUrl: t.fake.url, model: 'm', timeoutMs: 300 }, { bytes: audioFile('wav'), name: 'a.wav', mime: 'audio/wav' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(describeUpstreamError(err)).toBe('Mistral is unavailable right now. Retry in a moment.');
  });

  it('needs the CSRF token with a session (403), and sends nothing to Mistral then', async () => {
    const res = await request(t.app).post('/api/transcribe').set('Cookie', s.cookie).attach('audio', audioFile('webm', 'x'), 'a.webm');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf');
    const anonymous = await request(t.app).post('/api/transcribe').attach('audio', audioFile('webm', 'x'), 'a.webm');
    expect(anonymous.status).toBe(403); // CSRF comes before sign-in, as on every route
    expect(t.fake.audio.requests).toHaveLength(0);
  });

  it('stores nothing: every table has as many rows after transcriptions, refusals and failures as before', async () => {
    await request(t.app).get('/').set('Cookie', s.cookie); // anything a page view writes, written before counting
    const before = await rowCounts(t.db, dialect);
    await post(audioFile('webm', 'kept nowhere'));
    await post(audioFile('webm', 'x', MAX + 10));
    await post(Buffer.from('not audio at all'));
    t.fake.audio.enqueue({ status: 500 });
    await post(audioFile('webm', 'x'));
    expect(await rowCounts(t.db, dialect)).toEqual(before);
    expect(before.messages).toBeGreaterThanOrEqual(0);
  });

  it('stops the call to Mistral when the client goes away', async () => {
    t.fake.audio.enqueue({ hang: true });
    const aborted = t.fake.aborted;
    const req = post(audioFile('webm', 'never read'));
    req.on('error', () => {});
    req.end(() => {});
    await waitFor(async () => t.fake.audio.requests.length === 1);
    req.abort();
    await waitFor(async () => t.fake.aborted === aborted + 1);
  });
});

describe('dictation without any Mistral key', () => {
  it('says to add a key, like chat, and calls no one', async () => {
    const t = await chatApp('sqlite', { MISTRAL_API_KEY: '' });
    try {
      const s = await signIn(t);
      const res = await request(t.app).post('/api/transcribe').set(bearer(s)).attach('audio', audioFile('webm', 'x'), 'a.webm');
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({ code: 'no_key', message: 'No Mistral API key is set. Add your key in Settings, then retry.' });
      expect(t.fake.audio.requests).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});
