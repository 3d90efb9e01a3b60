// Every page the suite visits. A feature that adds a page adds one line here, and the page is then
// rendered with JavaScript on and off, checked by axe in both themes, checked for sideways overflow on the phone,
// and screenshotted (desktop and phone) without any other change.
import type { Db } from '../../src/db.ts';
import { createThread } from '../../src/features/threads/threads.repo.ts';
import { insertExchange, saveFinal } from '../../src/features/chat/messages.repo.ts';
import { branchedThread, longConversation, manyThreads } from './data.ts';
import type { Config } from '../../src/config.ts';
import { shareThread } from '../../src/features/sharing/shares.service.ts';
import { filesThread, FILES_THREAD_TITLE } from './files-data.ts';

export type PageSpec = {
  /** Short name: test titles and docs/screenshots/<name>-desktop.png. */
  name: string;
  /** The page's path, or a function that makes its data for the signed-in user and returns the path (signed out: for
   *  a user of its own, as the owner of a share page). */
  path: string | ((db: Db, userId: number) => Promise<string>);
  signedIn: boolean;
  /** The page's <h1>, proving the right page rendered. */
  heading: string | RegExp;
  /** The status the page answers with (a 404 page is still a page to check). */
  status?: number;
  /** Save screenshots of it. */
  screenshot?: boolean;
};

/** A finished answer with a long code block, inline and display math, a table and thinking: the richest thread. */
export const RICH_ANSWER = [
  'Here is a loop, with a line long enough to need its own scroll bar on a phone:',
  '',
  '```ts',
  `const numbers = [${Array.from({ length: 40 }, (_, i) => i * 7).join(', ')}];`,
  'for (const n of numbers) {',
  '  console.log(`${n} squared is ${n * n}`);',
  '}',
  '```',
  '',
  'The area of a circle is $A = \\pi r^2$, and the sum',
  '',
  '$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$',
  '',
  '| n | n² |',
  '|:--|---:|', // aligned: the cells get classes (a style attribute would be a CSP violation, which fails every page check)
  '| 2 | 4 |',
  '| 3 | 9 |',
  '',
  'That is **all**, with `inline code` too.',
].join('\n');

export async function richThread(db: Db, userId: number): Promise<string> {
  const thread = await createThread(db, userId, { title: 'Squares, circles and sums' });
  const { reply } = (await insertExchange(db, thread.id, 'Show me a loop and a formula', 'mistral-small-latest'))!;
  await saveFinal(db, reply.id, { content: RICH_ANSWER, thinking: 'The user wants code and math. A loop, then two formulas.', status: 'complete',
    usage: { promptTokens: 12, completionTokens: 120, totalTokens: 132 } });
  return `/threads/${thread.id}`;
}

/** The rich answer followed by many paragraphs: a thread longer than any phone screen. */
export async function longThread(db: Db, userId: number): Promise<string> {
  const thread = await createThread(db, userId, { title: 'A long answer' });
  const { reply } = (await insertExchange(db, thread.id, 'Tell me everything', 'mistral-small-latest'))!;
  const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i + 1}: ${'a fairly long sentence that wraps on a small screen, '.repeat(3)}`);
  await saveFinal(db, reply.id, { content: [RICH_ANSWER, ...paragraphs].join('\n\n'), thinking: null, status: 'complete' });
  return `/threads/${thread.id}`;
}

/** A thread longer than a page of messages, opened as links open it (#latest): its end, older messages above. */
export const manyMessages = async (db: Db, userId: number) => `${await longConversation(db, userId, 120)}#latest`;

/** Its older page as "Show older messages" opens it without JavaScript: messages 21 to 70, at their end. */
export async function olderMessages(db: Db, userId: number): Promise<string> {
  const path = (await manyMessages(db, userId)).replace('#latest', '');
  const before = await db('messages').where({ thread_id: path.split('/').pop(), content: 'Message 71' }).first('id');
  return `${path}?before=${before.id}#newer`;
}

/** The rich thread shared (src/features/sharing): its public page /s/<code>. */
export async function sharedRichThread(db: Db, userId: number): Promise<string> {
  const threadId = (await richThread(db, userId)).split('/').pop()!;
  const { code } = await shareThread({ db, config: { shareLimitPerHour: 0 } as Config }, userId, threadId, undefined);
  return `/s/${code}`;
}

/** The conversations page (the sidebar's "More" without JavaScript), with more threads than one page holds. */
async function conversations(db: Db, userId: number): Promise<string> {
  await manyThreads(db, userId, 60);
  return '/threads';
}

export const PAGES: PageSpec[] = [
  { name: 'sign-in', path: '/login', signedIn: false, heading: 'Sign in', screenshot: true },
  { name: 'register', path: '/register', signedIn: false, heading: 'Create your account', screenshot: true },
  { name: 'home', path: '/', signedIn: true, heading: 'New chat', screenshot: true },
  { name: 'thread', path: richThread, signedIn: true, heading: 'Squares, circles and sums', screenshot: true },
  // A question with eight images (server-made thumbnails) and a PDF (issue 13).
  { name: 'thread-with-files', path: filesThread, signedIn: true, heading: FILES_THREAD_TITLE, screenshot: true },
  { name: 'branches', path: async (db, userId) => (await branchedThread(db, userId)).path, signedIn: true, heading: 'Trees and branches', screenshot: true },
  { name: 'long-thread', path: manyMessages, signedIn: true, heading: '120 messages', screenshot: true },
  { name: 'older-messages', path: olderMessages, signedIn: true, heading: '120 messages', screenshot: true },
  { name: 'conversations', path: conversations, signedIn: true, heading: 'Conversations', screenshot: true },
  // Search (issue 15): results with a marked hit.
  { name: 'search', path: async (db, userId) => { await richThread(db, userId); return '/search?q=circles'; }, signedIn: true, heading: 'Search', screenshot: true },
  { name: 'settings', path: '/settings', signedIn: true, heading: 'Settings', screenshot: true },
  { name: 'account', path: '/account', signedIn: true, heading: 'Account', screenshot: true },
  // A share page: read signed out (the owner made it; the reader has no account) and by a signed-in reader.
  { name: 'share', path: sharedRichThread, signedIn: false, heading: 'Squares, circles and sums', screenshot: true },
  { name: 'share-signed-in', path: sharedRichThread, signedIn: true, heading: 'Squares, circles and sums', screenshot: true },
  { name: 'not-found', path: '/no-such-page', signedIn: false, heading: /not found/i, status: 404 },
  { name: 'not-found-signed-in', path: '/no-such-page', signedIn: true, heading: /not found/i, status: 404 },
];
