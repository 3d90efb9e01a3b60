// Model output that must never become live markup, wherever an answer is shown (the thread, its stream, a share),
// and the check that it stayed inert.
import { expect } from 'vitest';

export const XSS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '[click2](JaVaScRiPt:alert(1))',
  '![img](javascript:alert(1))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[vb](vbscript:msgbox(1))',
  '$\\href{javascript:alert(1)}{math link}$',
  '$$\\url{javascript:alert(2)}$$',
  '<a href="javascript:alert(1)">raw</a>',
  '<svg onload=alert(1)>',
  '```html\n<script>alert(3)</script>\n```',
].join('\n\n');

export function expectInert(withIcons: string): void {
  // Our own controls' icons (a sprite reference, never model output) are the one <svg> allowed.
  const html = withIcons.replaceAll(/<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-[a-z]+"><\/use><\/svg>/g, '');
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/<svg/i);
  expect(html).not.toMatch(/<a [^>]*href="\s*(javascript|vbscript|data):/i);
  expect(html).not.toMatch(/\s(src|href)="(javascript|vbscript|data):/i);
  expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
}
