// Text browsers without JavaScript (Debian's w3m and lynx) through docs/deploy/nginx.conf under /chat/: they send a
// message by the form and, with no reload, get the page the answer is written into, ending with the fake upstream's
// whole answer (both render when the document ends, which is when the answer does; a <noscript> refresh they ignore).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Generations } from '../../src/features/chat/generation.ts';
import { signedInToken, startLiveApp, type LiveApp } from '../support/browser.ts';
import { startFakeMistral, type FakeMistral } from '../support/fake-mistral.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { checkTextBrowsers } from '../support/text-browsers.ts';
import { describeInBrowser, REQUIRE_BROWSER } from './suite.ts';

const run = promisify(execFile);

const missing = checkTextBrowsers(REQUIRE_BROWSER);

(missing ? describe.skip : (n: string, body: () => void) => describeInBrowser(n, { chromium: false, nginx: true }, body))('w3m and lynx through nginx under /chat/', () => {
  let fake: FakeMistral;
  let live: LiveApp;
  let nginx: RunningNginx;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeMistral();
    live = await startLiveApp({ BASE_PATH: '/chat', TRUST_PROXY: 'loopback', ALLOW_GUESTS: 'true', MISTRAL_API_KEY: 'test-key', MISTRAL_SERVER_URL: fake.url });
    nginx = await startNginx(Number(new URL(live.origin).port));
    dir = mkdtempSync(path.join(os.tmpdir(), 'mc-w3m-'));
  });
  afterAll(async () => {
    await nginx?.stop();
    await (live?.app.locals.generations as Generations | undefined)?.shutdown();
    await live?.close();
    await fake?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // w3m's own cookie jar (in $HOME/.w3m), kept between runs like a person's; identity encoding for -dump_source.
  const w3m = async (args: string[]) => (await run('w3m', ['-cookie', '-o', 'accept_cookie=1', '-o', 'accept_bad_cookie=1',
    '-o', 'accept_encoding=identity', '-o', 'display_charset=UTF-8', ...args], { env: { ...process.env, HOME: dir, TERM: 'dumb' }, encoding: 'utf8', timeout: 30_000 })).stdout;
  const at = (p: string) => `${nginx.origin}/chat${p}`;
  const field = (html: string, name: string) => new RegExp(`name="${name}"[^>]* value="([^"]+)"`).exec(html)?.[1] ?? '';
  const post = (name: string, fields: Record<string, string>) => {
    const file = path.join(dir, name);
    writeFileSync(file, new URLSearchParams(fields).toString());
    return file;
  };

  it('w3m: signs in as a guest, sends by the form and sees the whole answer without reloading', async () => {
    const login = await w3m(['-dump_source', at('/login')]);
    expect(login).toContain('Continue as guest');
    const guest = await w3m(['-dump', '-post', post('guest', { _csrf: field(login, '_csrf') }), at('/auth/guest')]);
    expect(guest).toContain('New chat');

    const page = await w3m(['-dump_source', at('/')]);
    const fields = { _csrf: field(page, '_csrf'), sendKey: field(page, 'sendKey'), content: 'Hello from w3m' };
    expect(fields._csrf && fields.sendKey).toBeTruthy();
    fake.enqueue({ tokens: ['First part.\n\n', 'Second part ', 'from the fake.'], tokenDelayMs: 400 });
    const started = Date.now();
    // One run: the form's POST, its 303, and the page that follows the answer until it ends.
    const out = await w3m(['-dump', '-post', post('send', fields), at('/threads')]);
    expect(out).toContain('Hello from w3m');
    expect(out).toContain('First part.');
    expect(out).toContain('Second part from the fake.');
    // The document ended with the answer, after the upstream's last token: it was written while it streamed.
    expect(fake.lastTokenAt.at(-1)!).toBeGreaterThan(started + 800);
    // Without CSS the live status written first stays above the answer; the final footer follows it, not a failure.
    expect(out.indexOf('Hello from w3m')).toBeLessThan(out.indexOf('Second part from the fake.'));
    expect(out).not.toMatch(/Stopped\.|Failed\.|Interrupted\./);
    const [thread] = await live.db('threads');
    const answer = await live.db('messages').where({ thread_id: thread.id, role: 'assistant' }).first();
    expect(answer.status).toBe('complete');
  });

  it('lynx -dump: sends by the form and sees the whole answer without reloading', async () => {
    // Lynx keeps only cookies with an expiry in its file: the sign-in cookie and a session are written into it.
    const token = await signedInToken(live);
    const home = await fetch(at('/'), { headers: { Cookie: `access_token=${token}` } });
    const sid = home.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('mc_sid='))!;
    const page = await home.text();
    const jar = path.join(dir, 'lynx-cookies');
    const line = (kv: string) => ['127.0.0.1', 'FALSE', '/chat', 'FALSE', '4102444800', ...kv.split(/=(.*)/s, 2)].join('\t');
    writeFileSync(jar, `${line(`access_token=${token}`)}\n${line(sid)}\n`);
    // Lynx reads a cookie file only with PERSISTENT_COOKIES on (off in Debian's lynx.cfg).
    const cfg = path.join(dir, 'lynx.cfg');
    writeFileSync(cfg, 'INCLUDE:/etc/lynx/lynx.cfg\nPERSISTENT_COOKIES:TRUE\n');
    const fields = { _csrf: field(page, '_csrf'), sendKey: field(page, 'sendKey'), content: 'Hello from lynx' };
    fake.enqueue({ tokens: ['First part.\n\n', 'Second part ', 'from the fake.'], tokenDelayMs: 400 });
    const p = run('lynx', [`-cfg=${cfg}`, '-accept_all_cookies', `-cookie_file=${jar}`, '-display_charset=UTF-8', '-dump', '-post_data', at('/threads')],
      { env: { ...process.env, HOME: dir, TERM: 'dumb' }, encoding: 'utf8', timeout: 30_000 });
    p.child.stdin!.end(`${new URLSearchParams(fields).toString()}\n---\n`);
    const out = (await p).stdout;
    expect(out).toContain('Hello from lynx');
    expect(out).toContain('First part.');
    expect(out).toContain('Second part from the fake.');
    expect(out.indexOf('Hello from lynx')).toBeLessThan(out.indexOf('Second part from the fake.'));
    expect(out).toMatch(/\/chat\/threads\/[\w-]+\?follow=\d+#main/);
    expect(out).not.toMatch(/Stopped\.|Failed\.|Interrupted\.|Something went wrong/);
  });
});
