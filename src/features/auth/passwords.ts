// Password hashing with scrypt from node:crypto. The parameters travel with the hash (scrypt$N$r$p$salt$hash), so
// they can be raised later without breaking stored hashes.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const SALT_LEN = 16;

function scrypt(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFKC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const options = (n: number, r: number, p: number): ScryptOptions => ({ N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await scrypt(password, salt, KEY_LEN, options(N, R, P));
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  // Parameters scrypt accepts (N a power of two), within memory we are willing to spend (128·N·r bytes ≤ 256 MiB).
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n < 2 || (n & (n - 1)) !== 0 || n * r > 2 ** 21 || p > 16) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  // An empty or short key would compare equal to (almost) anything: a tampered row must not open the account.
  if (salt.length < 8 || expected.length < 16) return false;
  const key = await scrypt(password, salt, expected.length, options(n, r, p));
  return timingSafeEqual(key, expected);
}

// A real hash of a random password with today's parameters, computed when the module loads (not on the first
// unknown email, which would then cost twice): an unknown email costs the same scrypt work as a wrong password.
const dummy: Promise<string> = hashPassword(randomBytes(16).toString('hex'));
export async function verifyDummy(password: string): Promise<false> {
  await verifyPassword(password, await dummy);
  return false;
}
