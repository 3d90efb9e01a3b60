// The rich thread (code, inline and display math, a table, thinking) as text browsers and Chromium show it (issue 10,
// item 15): w3m and lynx read each formula once, as its TeX, with no MathML markup and no Copy button that could not
// work; no "Thinking" label on an answer without thinking. Chromium, with JavaScript on and off, still typesets the
// MathML and hides the TeX.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openTab, signedInToken, startLiveApp, type LiveApp } from '../support/browser.ts';
import { longThread, richThread } from './pages.ts';
import { checkTextBrowsers } from '../support/text-browsers.ts';
import { describeInBrowser, expectNoProblems, REQUIRE_BROWSER } from './suite.ts';

const run = promisify(execFile);

const missing = checkTextBrowsers(REQUIRE_BROWSER);

/** The page as served to this user, dumped by w3m and by lynx (the HTML on standard input, as each renders it). */
async function dumps(html: string): Promise<{ w3m: string; lynx: string }> {
  const dump = async (cmd: string, args: string[]) => {
    const p = run(cmd, args, { env: { ...process.env, TERM: 'dumb' }, encoding: 'utf8', timeout: 30_000 });
    p.child.stdin!.end(html);
    return (await p).stdout;
  };
  return {
    w3m: await dump('w3m', ['-dump', '-T', 'text/html', '-cols', '200', '-o', 'display_charset=UTF-8']),
    lynx: await dump('lynx', ['-dump', '-stdin', '-force_html', '-width=200', '-display_charset=UTF-8', '-nolist']),
  };
}

const count = (text: string, s: string) => text.split(s).length - 1;

(missing ? describe.skip : (n: string, body: () => void) => describeInBrowser(n, { chromium: false }, body))('the rich thread in w3m and lynx', () => {
  let live: LiveApp;
  let token: string;
  let userId: number;
  beforeAll(async () => {
    live = await startLiveApp();
    token = await signedInToken(live);
    userId = (await live.db('users').orderBy('id', 'desc').first()).id;
  });
  afterAll(async () => { await live?.close(); });
  const page = async (path: string) => (await fetch(live.pageUrl(path), { headers: { Cookie: `access_token=${token}` } })).text();

  it('reads each formula once, as its TeX, with no MathML markup and no Copy button', async () => {
    const out = await dumps(await page(await richThread(live.db, userId)));
    for (const [browser, text] of Object.entries(out)) {
      expect(text, browser).toContain('The area of a circle is A = \\pi r^2, and the sum');
      expect(count(text, 'A = \\pi r^2'), browser).toBe(1);
      expect(count(text, '\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}'), browser).toBe(1);
      // Not the MathML: neither its glyphs run together (w3m) nor its markup (lynx's HTML 3.0 MATH).
      expect(text, browser).not.toContain('πr2');
      expect(text, browser).not.toMatch(/\[MATH:|<\/?(mi|mo|mn|mrow|semantics|annotation)\b/);
      // Buttons that need the script are not there; the code and the rest of the answer are.
      expect(text, browser).not.toMatch(/\bCopy\b|Dismiss/);
      expect(text, browser).toContain('console.log(`${n} squared is ${n * n}`);');
      expect(text, browser).toContain('That is all, with inline code too.');
      // The answer has thinking: its label once, with the thinking.
      expect(count(text, 'Thinking'), browser).toBe(1);
      expect(text, browser).toContain('The user wants code and math.');
    }
  });

  it('shows no Thinking label on an answer without thinking', async () => {
    const out = await dumps(await page(await longThread(live.db, userId)));
    for (const [browser, text] of Object.entries(out)) {
      expect(text, browser).toContain('Paragraph 30:');
      expect(text, browser).not.toContain('Thinking');
      expect(text, browser).not.toMatch(/\bCopy\b/);
    }
  });
});

describeInBrowser('math in Chromium, with JavaScript on and off', {}, () => {
  let live: LiveApp;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => { [browser, live] = await Promise.all([launchBrowser(), startLiveApp()]); });
  afterAll(async () => { await browser?.close(); await live?.close(); });

  for (const javaScript of [true, false]) {
    it(`typesets the MathML and hides the TeX (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const token = await signedInToken(live);
      const userId = (await live.db('users').orderBy('id', 'desc').first()).id;
      const tab = await openTab(browser, live, { token, javaScript });
      try {
        const { page } = tab;
        await page.goto(live.pageUrl(await richThread(live.db, userId)));
        const look = await page.evaluate(() => {
          const box = (el: Element | null) => el ? el.getBoundingClientRect() : null;
          const line = parseFloat(getComputedStyle(document.querySelector('.md p')!).fontSize);
          const frac = box(document.querySelector('.math mfrac'));
          const sup = document.querySelector('.md p msup');
          return {
            line,
            texShown: [...document.querySelectorAll('.math-tex')].filter((el) => (el as HTMLElement).offsetParent !== null).length,
            formulas: document.querySelectorAll('.md math').length,
            // Typeset, not run-together text: the fraction stacks (taller than a line), the exponent is raised.
            fracHeight: frac ? frac.height : 0,
            supRaised: sup ? box(sup.children[1])!.top < box(sup.children[0])!.top : false,
            text: document.querySelector('.md')!.textContent,
          };
        });
        expect(look.formulas).toBe(2);
        expect(look.texShown).toBe(0);
        expect(look.fracHeight).toBeGreaterThan(1.6 * look.line);
        expect(look.supRaised).toBe(true);
        expectNoProblems(tab);
      } finally { await tab.close(); }
    });
  }
});
