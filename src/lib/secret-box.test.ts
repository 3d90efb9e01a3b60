import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyHint, open, seal } from './secret-box.ts';

describe('secret box', () => {
  const key = randomBytes(32);
  it('round-trips, with a fresh nonce each time', () => {
    const a = seal(key, 'sk-test-1234');
    const b = seal(key, 'sk-test-1234');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-test');
    expect(open(key, a)).toBe('sk-test-1234');
    expect(open(key, b)).toBe('sk-test-1234');
  });
  it('refuses altered data and the wrong key', () => {
    const sealed = seal(key, 'secret');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[14] ^= 1;
    expect(() => open(key, `v1:${raw.toString('base64')}`)).toThrow();
    expect(() => open(randomBytes(32), sealed)).toThrow();
    expect(() => open(key, 'garbage')).toThrow();
  });
  it('hints only the last four characters', () => {
    expect(keyHint('abcdefgh1234')).toBe('••••1234');
  });
});
