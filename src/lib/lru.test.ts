import { describe, expect, it } from 'vitest';
import { WeightedLru } from './lru.ts';

const byLength = (k: string, v: string) => k.length + v.length;

describe('WeightedLru', () => {
  it('returns what was stored and evicts the least recently used past the weight bound', () => {
    const c = new WeightedLru<string, string>(10, byLength);
    c.set('a', '1234'); // 5
    c.set('b', '1234'); // 10
    expect(c.get('a')).toBe('1234'); // a is now the most recent
    c.set('c', '12'); // 13 > 10: b goes, not a
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('1234');
    expect(c.get('c')).toBe('12');
    expect(c.weight).toBe(8);
  });

  it('replaces an entry without counting it twice, and never keeps one heavier than the bound', () => {
    const c = new WeightedLru<string, string>(10, byLength);
    c.set('a', '12');
    c.set('a', '1234');
    expect(c.weight).toBe(5);
    expect(c.size).toBe(1);
    c.set('big', '123456789');
    expect(c.get('big')).toBeUndefined();
    expect(c.get('a')).toBe('1234');
  });
});
