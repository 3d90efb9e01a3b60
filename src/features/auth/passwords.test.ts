// Real scrypt, no mocks: hashes round-trip, any tampering is refused, and an unknown email (verifyDummy) costs the
// same work as a wrong password.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyDummy, verifyPassword } from './passwords.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Replaces one `$`-separated part of a stored hash. */
const withPart = (stored: string, index: number, value: string) => stored.split('$').map((p, i) => (i === index ? value : p)).join('$');
const flipFirstChar = (b64: string) => (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);

describe('passwords', () => {
  it('hashes with a fresh salt and verifies the right password only', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse battery', b)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // Unicode is compared after NFKC, so the same password typed on another keyboard still matches.
    expect(await verifyPassword('ﬁle-password', await hashPassword('file-password'))).toBe(true);
  });

  it('refuses a stored hash whose N, r, p, salt or key was changed, and malformed ones, without throwing', async () => {
    const stored = await hashPassword('tamper-proof');
    const [, , , , salt, key] = stored.split('$');
    const tampered = {
      N: withPart(stored, 1, '16384'), r: withPart(stored, 2, '4'), p: withPart(stored, 3, '2'),
      salt: withPart(stored, 4, flipFirstChar(salt)), key: withPart(stored, 5, flipFirstChar(key)),
      'N not a power of two': withPart(stored, 1, '30000'), 'N too large': withPart(stored, 1, String(2 ** 21)),
      'N zero': withPart(stored, 1, '0'), 'r not a number': withPart(stored, 2, 'x'),
      'empty key': withPart(stored, 5, ''), 'short key': withPart(stored, 5, key.slice(0, 8)), 'empty salt': withPart(stored, 4, ''),
      'other scheme': withPart(stored, 0, 'bcrypt'), 'missing part': stored.split('$').slice(0, 5).join('$'), empty: '',
    };
    for (const [what, bad] of Object.entries(tampered)) {
      expect(await verifyPassword('tamper-proof', bad), what).toBe(false);
    }
    expect(await verifyPassword('tamper-proof', stored)).toBe(true);
  });

  it('compares in constant time whatever the key length: a longer stored key still verifies, and a wrong one is false', async () => {
    // A stored key of 64 bytes (e.g. from a future parameter change): the derived key follows its length, so the
    // constant-time comparison always sees equal lengths and never throws.
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const key = scryptSync('long-key-password', salt, 64, { N: 2 ** 14, r: 8, p: 1 });
    const stored = `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('long-key-password', stored)).toBe(true);
    expect(await verifyPassword('long-key-passworD', stored)).toBe(false);
    // Wrong passwords of every length take the same path: the scrypt work, then one comparison.
    for (const guess of ['', 'l', 'long-key-passwor', 'x'.repeat(1024)]) expect(await verifyPassword(guess, stored)).toBe(false);
  });

  it('costs the same scrypt work for an unknown email (dummy hash, built at load) as for a wrong password', async () => {
    // The dummy hash is built when the module loads; give that time to finish before the first unknown email.
    await new Promise((r) => setTimeout(r, 400));
    const stored = await hashPassword('the-real-one');
    const firstUnknown = await timed(() => verifyDummy('a-guess'));
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await timed(() => verifyPassword(`guess-${i}`, stored)));
      unknown.push(await timed(() => verifyDummy(`guess-${i}`)));
    }
    const ratio = median(unknown) / median(known);
    const firstRatio = firstUnknown / median(known);
    console.log(`scrypt ms: wrong password median ${median(known).toFixed(1)} [${known.map((x) => x.toFixed(0)).join(' ')}], `
      + `unknown email median ${median(unknown).toFixed(1)} [${unknown.map((x) => x.toFixed(0)).join(' ')}], `
      + `first unknown ${firstUnknown.toFixed(1)}; ratios ${ratio.toFixed(2)} and first ${firstRatio.toFixed(2)}`);
    expect(await verifyDummy('anything')).toBe(false);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    // (Built lazily, the first unknown email would cost a hash plus a verification, about 2x. One sample is too
    // noisy on a shared machine to assert; the figure is printed above.)
  }, 90_000);
});
