import { describe, expect, it } from 'vitest';
import { cookiePath, safeLocalPath, urlFor } from './base-path.ts';

describe('urlFor', () => {
  it('prefixes the base path', () => {
    expect(urlFor('')('/threads/1')).toBe('/threads/1');
    expect(urlFor('/chat')('/threads/1')).toBe('/chat/threads/1');
    expect(urlFor('/chat')('/')).toBe('/chat/');
    expect(() => urlFor('/chat')('threads')).toThrow();
    expect(cookiePath('')).toBe('/');
    expect(cookiePath('/chat')).toBe('/chat');
  });
});

describe('safeLocalPath', () => {
  it('keeps local paths', () => {
    expect(safeLocalPath('/threads/abc?x=1#m2', '')).toBe('/threads/abc?x=1#m2');
    expect(safeLocalPath('/chat/threads/abc', '/chat')).toBe('/threads/abc');
    expect(safeLocalPath('/threads/abc', '/chat')).toBe('/threads/abc');
  });
  it('refuses anything that leaves the app', () => {
    for (const bad of ['https://elsewhere.example/', '//elsewhere.example/x', '/\\elsewhere.example', 'javascript:alert(1)', 'threads', '', '/%0d%0aX', '\t//x']) {
      expect(safeLocalPath(bad, '', '/'), bad).toBe(bad === '/%0d%0aX' ? '/%0d%0aX' : '/');
    }
    expect(safeLocalPath(42, '')).toBe('/');
  });
});
