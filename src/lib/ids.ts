import { randomBytes } from 'node:crypto';

/** Opaque, unguessable ids for URLs (threads, share codes): 128 bits as 22 base64url characters. */
export function newId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

export const ID_PATTERN = /^[A-Za-z0-9_-]{10,64}$/;
