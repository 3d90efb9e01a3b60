// Dictation in the composer: "Dictate from an audio file" without JavaScript (the page comes back with the transcript
// after the typed text, or the reason with the typed text kept), the same routes under htmx (the message field alone), the
// microphone's markup, other users' threads, CSRF, and no message sent or stored.
import request from 'supertest';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.ts';
import { chatApp, signIn, type ChatTestApp, type Session } from '../support/fake-mistral-app.ts';
import { answeredThread } from '../support/shares.ts';
import { audioFile, rowCounts } from '../support/audio.ts';
import { csrfOf } from '../support/forms.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';

const MAX = 4096;
/** The composer's text as the browser would show it (the HTML-escaped content of the textarea). */
const textareaOf = (html: string) => /<textarea id="content"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1];
const errorOf = (html: string) => /<p class="field-error" id="content-error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

describe.each(DIALECTS)('dictation in the composer on %s', (dialect) => {
  let t: ChatTestApp;
  let s: Session;
  let thread: string;
  beforeAll(async () => {
    t = await chatApp(dialect, { SEND_LIMIT_PER_MINUTE: '0', AUDIO_MAX_BYTES: String(MAX) });
    s = await signIn(t);
    thread = await answeredThread(t, s, 1, 'Dictated');
  });
  afterAll(async () => { await t?.close(); });
  beforeEach(() => { t.fake.reset(); t.fake.audio.reset(); });

  /** The composer's form as a browser without JavaScript sends it (multipart), with the audio file chosen. */
  const form = (path: string, fields: Record<string, string>, audio?: Buffer, who = s) => {
    let req = request(t.app).post(path).set('Cookie', who.cookie);
    for (const [k, v] of Object.entries({ _csrf: who.csrf, sendKey: 'k-1', ...fields })) req = req.field(k, v);
    return audio ? req.attach('audio', audio, { filename: 'memo.ogg', contentType: 'audio/ogg' }) : req;
  };

  it('renders the file form for everyone and a hidden microphone whose script and URL come from the page', async () => {
    const page = await request(t.app).get(`/threads/${thread}`).set('Cookie', s.cookie);
    expect(page.text).toMatch(/<form id="composer"[^>]* enctype="multipart\/form-data"/);
    expect(page.text).toContain('<summary class="dictate-summary">Dictate from an audio file</summary>');
    expect(page.text).toContain('<input type="file" id="dictation-audio" name="audio" accept="audio/*">');
    expect(page.text).toMatch(new RegExp(`<button type="submit" class="btn-small" formaction="/threads/${thread}/transcribe" formnovalidate>`));
    expect(page.text).toMatch(/<button type="button" id="mic" class="btn-small mic" hidden aria-pressed="false" data-js-dictation="\/static\/js\/dictation-[0-9a-f]{10}\.js" data-url="\/api\/transcribe">/);
    const home = await request(t.app).get('/').set('Cookie', s.cookie);
    expect(home.text).toContain('formaction="/transcribe" formnovalidate');
    // The recorder's script is served (comments stripped, like app.js) but is not on the page until asked for.
    const src = /data-js-dictation="([^"]+)"/.exec(home.text)![1];
    expect(home.text).not.toContain(`<script src="${src}"`);
    const js = await request(t.app).get(src);
    expect(js.status).toBe(200);
    expect(js.text).toContain('window.dictate');
    expect(js.text).not.toMatch(/^\s*\/\//m);
  });

  it('without JavaScript, a thread\'s page comes back with the transcript after the typed text, nothing sent', async () => {
    const before = await rowCounts(t.db, dialect);
    const res = await form(`/threads/${thread}/transcribe`, { content: 'I typed this', after: '2' }, audioFile('ogg', 'and said that'));
    expect(res.status).toBe(200);
    expect(textareaOf(res.text)).toBe('I typed this and said that');
    expect(errorOf(res.text)).toBeUndefined();
    expect(res.text).toContain('<input type="hidden" name="after" id="send-after" value="2">');
    expect(t.fake.audio.requests[0].body.file!.bytes.includes(Buffer.from('SAY:and said that'))).toBe(true);
    // A line break typed last stays, and the words go on the next line; an empty composer gets the words alone.
    expect(textareaOf((await form(`/threads/${thread}/transcribe`, { content: 'Line one\n' }, audioFile('webm', 'line two'))).text)).toBe('Line one\nline two');
    expect(textareaOf((await form(`/threads/${thread}/transcribe`, { content: '' }, audioFile('webm', 'alone'))).text)).toBe('alone');
    expect(await rowCounts(t.db, dialect)).toEqual(before);
    expect(t.fake.chatRequests).toHaveLength(0);
  });

  it('without JavaScript, the new-chat page keeps the typed text and the chosen model', async () => {
    const res = await form('/transcribe', { content: 'Draft:', model: 'magistral-medium-latest' }, audioFile('mp3', 'spoken words'));
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>New chat</h1>');
    expect(textareaOf(res.text)).toBe('Draft: spoken words');
    expect(res.text).toContain('<option value="magistral-medium-latest" selected>');
  });

  it('a refusal or a failure comes back with the typed text and the reason under the composer', async () => {
    const big = await form(`/threads/${thread}/transcribe`, { content: 'keep me' }, audioFile('ogg', 'x', MAX + 1));
    expect(big.status).toBe(413);
    expect(textareaOf(big.text)).toBe('keep me');
    expect(errorOf(big.text)).toContain('at most 4 KB');
    const notAudio = await form('/transcribe', { content: 'still here' }, Buffer.from('%PDF-1.7 SAY:no'));
    expect(notAudio.status).toBe(422);
    expect(textareaOf(notAudio.text)).toBe('still here');
    expect(errorOf(notAudio.text)).toMatch(/not audio/);
    const none = await form(`/threads/${thread}/transcribe`, { content: 'no file chosen' });
    expect(none.status).toBe(400);
    expect(textareaOf(none.text)).toBe('no file chosen');
    t.fake.audio.enqueue({ status: 429 });
    const limited = await form(`/threads/${thread}/transcribe`, { content: 'wait' }, audioFile('ogg', 'x'));
    expect(limited.status).toBe(429);
    expect(textareaOf(limited.text)).toBe('wait');
    expect(errorOf(limited.text)).toBe('Mistral is rate limiting requests. Wait a moment, then retry.');
  });

  it('without JavaScript, files chosen to attach come back ticked beside the transcript (kept as pending)', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c40' } }).png().toBuffer();
    const res = await request(t.app).post(`/threads/${thread}/transcribe`).set('Cookie', s.cookie).field('_csrf', s.csrf).field('content', 'Look')
      .attach('audio', audioFile('ogg', 'at this'), 'voice.ogg').attach('files', png, 'dot.png');
    expect(res.status).toBe(200);
    expect(textareaOf(res.text)).toBe('Look at this');
    const kept = /name="keep" value="(\d+)" checked> dot\.png/.exec(res.text);
    expect(kept).not.toBeNull();
    const row = await t.db('files').where({ id: Number(kept![1]), user_id: s.user.id }).first();
    expect(row).toMatchObject({ name: 'dot.png', kind: 'image', sent_at: null });
  });

  it('escapes the transcript like any text', async () => {
    const res = await form(`/threads/${thread}/transcribe`, { content: '' }, audioFile('ogg', '<img src=x onerror=alert(1)>'));
    expect(textareaOf(res.text)).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(res.text).not.toContain('<img src=x');
  });

  it('with htmx (the button\'s formaction), swaps only the message field: the files chosen to attach stay', async () => {
    const res = await form(`/threads/${thread}/transcribe`, { content: 'typed', after: '2' }, audioFile('ogg', 'spoken')).set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.headers['hx-retarget']).toBe('#content');
    expect(res.headers['hx-reswap']).toBe('outerHTML');
    expect(res.headers['hx-reselect']).toBe('#content');
    expect(res.text).not.toContain('<html');
    expect(textareaOf(res.text)).toBe('typed spoken');
    // A refusal is an ordinary error, shown in the flash area; the field (and its text) is not swapped.
    const refused = await form('/transcribe', { content: 'kept' }, audioFile('ogg', 'x', MAX + 1)).set('HX-Request', 'true');
    expect(refused.status).toBe(413);
    expect(refused.headers['hx-retarget']).toBe('#flash');
    expect(refused.text).toContain('class="error-box"');
    expect(refused.text).toContain('at most 4 KB');
    expect(textareaOf(refused.text)).toBeUndefined();
    t.fake.audio.enqueue({ status: 500 });
    const failed = await form(`/threads/${thread}/transcribe`, { content: 'kept' }, audioFile('ogg', 'x')).set('HX-Request', 'true');
    expect(failed.status).toBe(503);
    expect(failed.text).toContain('Mistral is unavailable right now. Retry in a moment.');
  });

  it('another user\'s thread is 404, and their audio goes nowhere', async () => {
    const other = await signIn(t);
    const res = await form(`/threads/${thread}/transcribe`, { content: 'x' }, audioFile('ogg', 'spy'), other);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('Dictated');
    expect((await form('/threads/nosuchthread0000/transcribe', { content: 'x' }, audioFile('ogg', 'x'))).status).toBe(404);
    expect(t.fake.audio.requests).toHaveLength(0);
  });

  it('needs the form\'s CSRF token (403), and sends nothing to Mistral then', async () => {
    const res = await request(t.app).post(`/threads/${thread}/transcribe`).set('Cookie', s.cookie)
      .field('content', 'x').attach('audio', audioFile('ogg', 'x'), 'a.ogg');
    expect(res.status).toBe(403);
    expect((await form('/transcribe', { _csrf: 'forged' }, audioFile('ogg', 'x'))).status).toBe(403);
    expect(t.fake.audio.requests).toHaveLength(0);
  });
});

describe('dictation behind a base path', () => {
  it('points the file form and the microphone at the base path', async () => {
    const t = await chatApp('sqlite', { BASE_PATH: '/chat' });
    try {
      const user = await createUser(t.db, { email: `base-${Date.now()}@example.com`, name: 'Tester' });
      const token = await issueToken(t.db, user.id, { ttlDays: 1 });
      const home = await request(t.app).get('/chat/').set('Cookie', `access_token=${token}`);
      const sid = (home.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='));
      const s = { cookie: `access_token=${token}; ${sid}`, csrf: csrfOf(home.text) };
      expect(home.text).toContain('formaction="/chat/transcribe"');
      expect(home.text).toMatch(/data-js-dictation="\/chat\/static\/js\/dictation-[0-9a-f]{10}\.js" data-url="\/chat\/api\/transcribe"/);
      const res = await request(t.app).post('/chat/transcribe').set('Cookie', s.cookie).field('_csrf', s.csrf).field('content', 'via')
        .attach('audio', audioFile('flac', 'the proxy'), 'a.flac');
      expect(textareaOf(res.text)).toBe('via the proxy');
    } finally {
      await t.close();
    }
  });
});
