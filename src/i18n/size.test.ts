import { describe, expect, it } from 'vitest';
import { sizeText } from './size.ts';
import { say, tr } from './text.ts';
import { tFor } from './catalogue.ts';

describe('file sizes', () => {
  const en = (b: number) => say(tFor('en'), sizeText(b));
  const fr = (b: number) => say(tFor('fr'), sizeText(b));
  it('are in binary units with at most one decimal, in the reader’s units and separators', () => {
    expect([en(16), en(1536), en(4096), en(26_214_400), en(1_310_720)]).toEqual(['16 B', '1.5 KB', '4 KB', '25 MB', '1.3 MB']);
    expect([fr(16), fr(1536), fr(4096), fr(26_214_400), fr(1_310_720)]).toEqual(['16 o', '1,5 Ko', '4 Ko', '25 Mo', '1,3 Mo']);
    expect(fr(1023 * 1024 * 1024)).toBe('1\u202f023 Mo');
  });
  it('read in the reader’s language inside a refusal made before the reader was known', () => {
    const refusal = tr('files:dictation.tooLarge', { max: sizeText(25 * 1024 * 1024) });
    expect(say(tFor('en'), refusal)).toContain('25 MB');
    expect(say(tFor('fr'), refusal)).toContain('25 Mo');
  });
});
