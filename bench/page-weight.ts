// Page weight: compressed bytes on the wire (headers included) for a first visit with an empty cache, split out
// for JavaScript; and a repeat visit, where only the HTML may come over the network (fingerprinted static files
// are cached as immutable). Measured in Chromium through DevTools protocol Network events (encodedDataLength).
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { Db } from '../src/db.ts';
import { issueToken } from '../src/features/auth/tokens.repo.ts';
import { createUser } from '../src/features/auth/users.repo.ts';
import { openTab, startLiveApp, type LiveApp } from '../test/support/browser.ts';
import { richThread, sharedRichThread } from '../test/browser/pages.ts';
import { filesThread } from '../test/browser/files-data.ts';
import { kb, KB, median } from './lib/stats.ts';
import type { Benchmark, Figure } from './lib/types.ts';

const BUDGET_TOTAL = 40 * KB;
const BUDGET_JS = 20 * KB;

// A page is its path, or a function that makes its data for the signed-in user and returns the path.
const PAGES: Array<{ name: string; path: string | ((db: Db, userId: number) => Promise<string>); signedIn: boolean }> = [
  { name: 'sign-in', path: '/login', signedIn: false },
  { name: 'home', path: '/', signedIn: true },
  { name: 'thread (code, math, table)', path: richThread, signedIn: true },
  // Read by someone without an account (its owner's user makes it).
  { name: 'share page (signed out)', path: sharedRichThread, signedIn: false },
  // Issue 13: eight photos in one question, shown as server-made thumbnails (never the originals), cached for good.
  { name: 'thread with 8 images (thumbnails only)', path: (db, userId) => filesThread(db, userId, { photosOnly: true }), signedIn: true },
  { name: 'thread with 4 photos + 4 screenshots + a PDF', path: filesThread, signedIn: true },
];

type Fetched = { url: string; type: string; bytes: number; headerBytes: number; fromNetwork: boolean };

/** Every request a navigation made, with its bytes on the wire and whether it came over the network. */
async function load(page: Page, cdp: CDPSession, url: string): Promise<Fetched[]> {
  const seen = new Map<string, Fetched>();
  const get = (id: string) => seen.get(id) ?? seen.set(id, { url: '', type: 'Other', bytes: 0, headerBytes: 0, fromNetwork: true }).get(id)!;
  const onSent = (e: { requestId: string; request: { url: string }; type?: string }) => { Object.assign(get(e.requestId), { url: e.request.url, type: e.type ?? 'Other' }); };
  const onResponse = (e: { requestId: string; response: { encodedDataLength: number; fromDiskCache?: boolean; fromPrefetchCache?: boolean; fromServiceWorker?: boolean } }) => {
    // At this point only the status line and headers have arrived.
    get(e.requestId).headerBytes = e.response.encodedDataLength;
    if (e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker) get(e.requestId).fromNetwork = false;
  };
  const onCached = (e: { requestId: string }) => { get(e.requestId).fromNetwork = false; };
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => { get(e.requestId).bytes = e.encodedDataLength; };
  cdp.on('Network.requestWillBeSent', onSent);
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.requestServedFromCache', onCached);
  cdp.on('Network.loadingFinished', onFinished);
  try {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');
  } finally {
    cdp.off('Network.requestWillBeSent', onSent);
    cdp.off('Network.responseReceived', onResponse);
    cdp.off('Network.requestServedFromCache', onCached);
    cdp.off('Network.loadingFinished', onFinished);
  }
  return [...seen.values()].filter((r) => r.url.startsWith('http'));
}

type Visit = { total: number; js: number; jsHeaders: number; totalHeaders: number; repeatFetched: Fetched[] };

async function visitTwice(context: BrowserContext, url: string): Promise<Visit> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const first = await load(page, cdp, url);
  // Leave, then come back as a person would (typing the address again, not pressing reload).
  await page.goto('about:blank');
  const repeat = await load(page, cdp, url);
  const net = first.filter((r) => r.fromNetwork);
  const sum = (rs: Fetched[], k: 'bytes' | 'headerBytes') => rs.reduce((s, r) => s + r[k], 0);
  const scripts = net.filter((r) => r.type === 'Script');
  return {
    total: sum(net, 'bytes'), totalHeaders: sum(net, 'headerBytes'),
    js: sum(scripts, 'bytes'), jsHeaders: sum(scripts, 'headerBytes'),
    repeatFetched: repeat.filter((r) => r.fromNetwork),
  };
}

export const pageWeight: Benchmark = {
  name: 'page-weight',
  describe: 'compressed bytes on the wire, first and repeat visit',
  async run(ctx) {
    const browser = await ctx.browser();
    // Production settings (view cache, no stack traces), as users get them.
    const live: LiveApp = await startLiveApp({ NODE_ENV: 'production' }, 'sqlite');
    const figures: Figure[] = [];
    try {
      for (const spec of PAGES) {
        const visits: Visit[] = [];
        for (let i = 0; i < ctx.runs; i++) {
          let token: string | undefined;
          let path = typeof spec.path === 'string' ? spec.path : '';
          if (spec.signedIn || typeof spec.path === 'function') {
            const user = await createUser(live.db, { email: `weight-${i}-${Date.now()}@example.com`, name: 'Bench' });
            if (spec.signedIn) token = await issueToken(live.db, user.id, { ttlDays: 1 });
            if (typeof spec.path === 'function') path = await spec.path(live.db, user.id);
          }
          const tab = await openTab(browser, live, { token });
          await tab.page.close();
          try {
            visits.push(await visitTwice(tab.context, live.pageUrl(path)));
          } finally { await tab.close(); }
        }
        const total = median(visits.map((v) => v.total));
        const js = median(visits.map((v) => v.js));
        // Headers are on the wire too and count against the budget; shown apart because they are a cost per file.
        const split = (all: number, headers: number) => `${kb(all)} (${kb(all - headers)} bodies + ${kb(headers)} headers)`;
        const totalHeaders = median(visits.map((v) => v.totalHeaders));
        const jsHeaders = median(visits.map((v) => v.jsHeaders));
        // Every run must pass the repeat-visit rule, not just the median one.
        const extra = visits.flatMap((v) => v.repeatFetched.filter((r) => r.type !== 'Document').map((r) => r.url));
        const htmlOnly = extra.length === 0 && visits.every((v) => v.repeatFetched.length === 1);
        const repeatBytes = median(visits.map((v) => v.repeatFetched.reduce((s, r) => s + r.bytes, 0)));
        figures.push(
          { figure: `${spec.name}: first visit, total`, budget: `<= ${kb(BUDGET_TOTAL)}`, measured: split(total, totalHeaders), pass: total <= BUDGET_TOTAL },
          { figure: `${spec.name}: first visit, JavaScript`, budget: `<= ${kb(BUDGET_JS)}`, measured: split(js, jsHeaders), pass: js <= BUDGET_JS },
          { figure: `${spec.name}: repeat visit, fetched`, budget: 'the HTML only',
            measured: htmlOnly ? `HTML only, ${kb(repeatBytes)}` : `also ${[...new Set(extra)].join(', ')}`, pass: htmlOnly },
        );
        ctx.log(`page-weight ${spec.name}: first visits ${visits.map((v) => v.total).join(", ")} bytes (JavaScript ${visits.map((v) => v.js).join(", ")})`);
      }
    } finally {
      await live.close();
    }
    return figures;
  },
};
