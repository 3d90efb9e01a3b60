// The main pages in French (issue 17), as a French browser shows them: pictures for docs/screenshots/ (fr-*), each
// page checked to be French (lang and heading), to fit the phone or desktop sideways (French words are longer), and
// to log no console error or CSP violation.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import type { Db } from '../../src/db.ts';
import { createUser } from '../../src/features/auth/users.repo.ts';
import { issueToken } from '../../src/features/auth/tokens.repo.ts';
import { insertExchange, saveFinal } from '../../src/features/chat/messages.repo.ts';
import { shareThread } from '../../src/features/sharing/shares.service.ts';
import { createThread, touchThread } from '../../src/features/threads/threads.repo.ts';
import { openTab, saveScreenshot } from '../support/browser.ts';
import { describeInBrowser, expectNoProblems, useBrowserAndApp } from './suite.ts';

const FR_TITLE = 'Carrés, cercles et listes';
/** A finished French answer with a code block, a list and a table (and thinking): the thread's chrome among real words. */
const FR_ANSWER = [
  'Voici une boucle, avec une ligne assez longue pour défiler dans son propre cadre sur un téléphone :',
  '',
  '```ts',
  `const nombres = [${Array.from({ length: 30 }, (_, i) => i * 7).join(', ')}];`,
  'for (const n of nombres) {',
  '  console.log(`${n} au carré vaut ${n * n}`);',
  '}',
  '```',
  '',
  'Ce qu’il faut retenir sur les cercles :',
  '',
  '- l’aire d’un cercle est $A = \\pi r^2$ ;',
  '- son périmètre est $2 \\pi r$ ;',
  '- doubler le rayon quadruple l’aire.',
  '',
  '| n | n² |',
  '|:--|---:|',
  '| 2 | 4 |',
  '| 3 | 9 |',
  '',
  'C’est **tout**, avec du `code en ligne` aussi.',
].join('\n');

async function frenchThread(db: Db, userId: number): Promise<string> {
  const thread = await createThread(db, userId, { title: FR_TITLE });
  const { reply } = (await insertExchange(db, thread.id, 'Montre-moi une boucle, une liste et un tableau sur les cercles', 'mistral-small-latest'))!;
  await saveFinal(db, reply.id, { content: FR_ANSWER, thinking: 'Une boucle, puis une liste de formules et un petit tableau.', status: 'complete',
    usage: { promptTokens: 14, completionTokens: 140, totalTokens: 154 } });
  return thread.id;
}

/** Conversations of today, yesterday, last week and last month: the list's French group headings. */
async function frenchThreads(db: Db, userId: number): Promise<void> {
  const titles = ['Recette de la tarte aux pommes', 'Réviser le subjonctif', 'Itinéraire à vélo le long de la Loire',
    'Lettre de motivation pour un stage', 'Comprendre les intérêts composés', 'Traduire une chanson de Brel'];
  const ages = [0.02, 0.1, 1, 3, 9, 40];
  for (const [i, title] of titles.entries()) {
    const t = await createThread(db, userId, { title });
    await touchThread(db, t.id, new Date(Date.now() - ages[i] * 86_400_000));
  }
}

type Shot = { name: string; phone: boolean; dark?: boolean; signedIn?: boolean; heading: string;
  /** Makes the page's data for its user (the reader, or a share's owner when signed out); returns its path. */
  path: (db: Db, userId: number) => Promise<string> };

const SHOTS: Shot[] = [
  { name: 'fr-home-phone', phone: true, heading: 'Nouvelle conversation', path: async () => '/' },
  { name: 'fr-home-desktop-dark', phone: false, dark: true, heading: 'Nouvelle conversation', path: async () => '/' },
  { name: 'fr-thread-desktop', phone: false, heading: FR_TITLE, path: async (db, u) => `/threads/${await frenchThread(db, u)}` },
  { name: 'fr-thread-phone-dark', phone: true, dark: true, heading: FR_TITLE, path: async (db, u) => `/threads/${await frenchThread(db, u)}` },
  { name: 'fr-settings-phone', phone: true, heading: 'Paramètres', path: async () => '/settings' },
  { name: 'fr-conversations-desktop', phone: false, heading: 'Sélectionner des conversations',
    path: async (db, u) => { await frenchThreads(db, u); await frenchThread(db, u); return '/threads?select=1'; } },
  { name: 'fr-search-desktop', phone: false, heading: 'Recherche',
    path: async (db, u) => { await frenchThreads(db, u); await frenchThread(db, u); return `/search?q=${encodeURIComponent('cercles')}`; } },
  { name: 'fr-share-phone', phone: true, signedIn: false, heading: FR_TITLE,
    path: async (db, u) => `/s/${(await shareThread({ db, config: { shareLimitPerHour: 0 } as Config }, u, await frenchThread(db, u), undefined)).code}` },
];

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describeInBrowser('the main pages in French', {}, () => {
  const f = useBrowserAndApp();

  for (const shot of SHOTS) {
    it(`${shot.name}: French, fits sideways, no problems (screenshot)`, async () => {
      const user = await createUser(f.live.db, { email: `fr-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`, name: 'Camille Dupont' });
      const path = await shot.path(f.live.db, user.id);
      const token = shot.signedIn === false ? undefined : await issueToken(f.live.db, user.id, { ttlDays: 1 });
      const tab = await openTab(f.browser, f.live, { token, phone: shot.phone, colorScheme: shot.dark ? 'dark' : 'light',
        reducedMotion: 'reduce', extra: { locale: 'fr-FR', timezoneId: 'Europe/Paris' } });
      try {
        const { page } = tab;
        expect((await page.goto(f.live.pageUrl(path)))?.status()).toBe(200);
        expect(await page.locator('html').getAttribute('lang')).toBe('fr');
        await expect.poll(() => page.locator('h1').first().textContent(), { timeout: 15_000 }).toBe(shot.heading);
        // French chrome, not only French content: the page's own words.
        const chrome = shot.signedIn === false ? 'Conversation partagée' : 'Nouvelle conversation';
        expect(await page.locator('body').textContent()).toContain(chrome);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        if (shot.name === 'fr-thread-desktop') {
          // The longer labels take two rows here; the last button keeps to the right edge like the row above it.
          const rights = await page.locator('.thread-actions > *').evaluateAll((all) => all.map((e) => e.getBoundingClientRect().right));
          expect(Math.abs(rights[rights.length - 1] - Math.max(...rights))).toBeLessThan(1);
        }
        if (shot.name.startsWith('fr-search')) expect(await page.locator('mark').count()).toBeGreaterThan(0);
        // A share page opens at its end, as a thread does: the picture shows its French header instead.
        if (shot.signedIn === false) await page.evaluate(() => scrollTo(0, 0));
        await saveScreenshot(page, shot.name);
        expectNoProblems(tab);
      } finally {
        await tab.close();
      }
    });
  }
});
