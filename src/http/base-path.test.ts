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

// Where a browser would go if it got `Location: <basePath + result>` from https://app.example/.
const hostReached = (basePath: string, result: string) => new URL(basePath + result, 'https://app.example/x/y').host;

const ESCAPES = [
  '/..//evil.example', '/.//evil.example', '/../..//evil.example', '/a/..//evil.example', '/x/../../..//evil.example',
  '/%2e%2e//evil.example', '/%2E%2E//evil.example', '/.%2e//evil.example', '/%2e//evil.example', '/%2e%2e/%2fevil.example',
  '//evil.example', '///evil.example', '/\\evil.example', '/./\\evil.example', '/\\/evil.example',
  '/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/.\t//evil.example', '/\u0000/evil.example', '/x\u007f',
  '/%2f%2fevil.example', '/%2F/evil.example', '/%5cevil.example', '/..%2f/evil.example', '/%5C%5Cevil.example',
  'https://evil.example/', 'http:/evil.example', 'http:evil.example', 'javascript:alert(1)', ' /x', '\t//x', 'threads', '',
  `/${'a'.repeat(3000)}`,
];

describe('safeLocalPath', () => {
  it('keeps local paths', () => {
    expect(safeLocalPath('/threads/abc?x=1#m2', '')).toBe('/threads/abc?x=1#m2');
    expect(safeLocalPath('/chat/threads/abc', '/chat')).toBe('/threads/abc');
    expect(safeLocalPath('/threads/abc', '/chat')).toBe('/threads/abc');
    expect(safeLocalPath('/threads/./a/../abc', '')).toBe('/threads/abc');
    expect(safeLocalPath('/a?next=//evil.example', '')).toBe('/a?next=//evil.example');
    // An encoded CR/LF stays encoded: it cannot split a header.
    expect(safeLocalPath('/%0d%0aX', '')).toBe('/%0d%0aX');
  });

  it('refuses every way out of the app, before and after normalisation, with or without a base path', () => {
    for (const basePath of ['', '/chat']) {
      for (const bad of [...ESCAPES, ...ESCAPES.filter((e) => e.startsWith('/')).map((e) => `/chat${e}`)]) {
        const out = safeLocalPath(bad, basePath, '/');
        // "/chat/.//x" under an empty base path is a local path (/chat/x... normalised): only escapes must fall back.
        if (!(basePath === '' && bad.startsWith('/chat/'))) expect(out, JSON.stringify([basePath, bad])).toBe('/');
        expect(hostReached(basePath, out), JSON.stringify([basePath, bad])).toBe('app.example');
      }
    }
    expect(safeLocalPath(42, '')).toBe('/');
    expect(safeLocalPath(['/a'], '')).toBe('/');
  });

  it('never returns anything but a single-slash local path, for every short mix of tricky pieces', () => {
    const pieces = ['/', '.', '..', '\\', '%2e', '%2f', '%5c', 'evil', '\t', ':', '@', '?', '#', '%'];
    let checked = 0;
    const walk = (prefix: string, depth: number) => {
      for (const basePath of ['', '/chat']) {
        const out = safeLocalPath(prefix, basePath, '/');
        checked++;
        expect(out.startsWith('/') && !out.startsWith('//') && !out.includes('\\'), JSON.stringify([basePath, prefix, out])).toBe(true);
        expect(hostReached(basePath, out), JSON.stringify([basePath, prefix, out])).toBe('app.example');
      }
      if (depth === 0) return;
      for (const p of pieces) walk(prefix + p, depth - 1);
    };
    walk('/', 4);
    walk('/chat/', 3);
    expect(checked).toBeGreaterThan(80_000);
  });
});
