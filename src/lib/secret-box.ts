// AES-256-GCM for secrets kept at rest (users' Mistral keys): a fresh 96-bit nonce per write, the tag checked on read.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** `v1:` + base64(nonce | ciphertext | tag). The version prefix leaves room to rotate the scheme. */
export function seal(key: Buffer, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
}

/** Throws if the data was altered or sealed with another key. */
export function open(key: Buffer, sealed: string): string {
  if (!sealed.startsWith(`${VERSION}:`)) throw new Error('unknown sealed format');
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64');
  if (raw.length < 12 + 16) throw new Error('sealed data too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
}

/** What the user may see of a key: its last four characters. */
export function keyHint(secret: string): string {
  return `••••${secret.slice(-4)}`;
}
