import { describe, expect, it } from 'vitest';
import { stallOf } from '../../../test/support/adversarial.ts';
import { plainText } from './plain-text.ts';

describe('plainText: a message without its Markdown, for search snippets', () => {
  it.each([
    ['**Lisbon** is _lovely_ and *sunny*, ~~cold~~ warm', 'Lisbon is lovely and sunny, cold warm'],
    ['## Where to eat\n> Try the `pastel de nata`', 'Where to eat\nTry the pastel de nata'],
    ['- one\n* two\n3. three\n- [x] done', 'one\ntwo\nthree\ndone'],
    ['See [the guide](https://example.com/guide "Guide") and ![a tram](/files/1) or [ref][1] <https://example.org>', 'See the guide and a tram or ref https://example.org'],
    ['```python\nprint("hi")\n```', 'print("hi")'],
    ['| City | Sight |\n|:---|---:|\n| Lisbon | Alfama |', 'City Sight\n\nLisbon Alfama'],
    ['text\n\n---\n\nmore', 'text\n\n\n\nmore'],
    ['$$E = mc^2$$ and \\(x\\)', 'E = mc^2  and  x'],
  ])('%j', (md, plain) => { expect(plainText(md)).toBe(plain); });

  it('leaves what is not syntax: snake_case, lone stars, money, typed HTML, escapes as their character', () => {
    expect(plainText('call my_var_name with 2 * 3 for $5')).toBe('call my_var_name with 2 * 3 for $5');
    expect(plainText('<b>bold</b> & "quoted"')).toBe('<b>bold</b> & "quoted"');
    expect(plainText('not \\*emphasis\\* and a\\_b')).toBe('not *emphasis* and a_b');
    expect(plainText('Where should I go in Lisbon?')).toBe('Where should I go in Lisbon?');
  });

  // Texts like these took 0.8–15 s at 100,000 characters before the patterns were made linear.
  it('stays linear on texts built against its patterns', async () => {
    const n = 100_000;
    const texts = ['[a'.repeat(n / 2), '[a]('.repeat(n / 4), '![a]('.repeat(n / 5), '<http:'.repeat(n / 6), ' '.repeat(n) + 'x',
      '|' + ' '.repeat(n) + 'x', '|-' + ' '.repeat(n) + 'x', '`'.repeat(n / 2) + 'a'.repeat(n / 2), '**a '.repeat(n / 4), '~~a '.repeat(n / 4)];
    const ms = await stallOf(async () => { for (const text of texts) plainText(text); }, 500);
    expect(ms).toBeLessThan(500);
  });
});
