// Single sign-on (OpenID Connect): which provider identity (issuer + sub) belongs to which user, and the admin flag
// the provider's groups set at each sign-in.
import type { Db } from '../../db.ts';
import { findUserById, type User } from './users.repo.ts';

export async function findUserByIdentity(db: Db, issuer: string, sub: string): Promise<User | null> {
  const row = await db('user_identities').where({ issuer, sub }).first('user_id');
  return row ? findUserById(db, Number(row.user_id)) : null;
}

/** The sub this user has at this issuer, if any. */
export async function identitySubOf(db: Db, userId: number, issuer: string): Promise<string | null> {
  const row = await db('user_identities').where({ user_id: userId, issuer }).first('sub');
  return row ? String(row.sub) : null;
}

export async function addIdentity(db: Db, userId: number, issuer: string, sub: string): Promise<void> {
  const now = new Date();
  await db('user_identities').insert({ user_id: userId, issuer, sub, created_at: now, last_sign_in_at: now });
}

/** Every OIDC sign-in: the time, and whether the provider says the person is in OIDC_ADMIN_GROUP now. */
export async function recordOidcSignIn(db: Db, userId: number, issuer: string, admin: boolean): Promise<void> {
  await db('user_identities').where({ user_id: userId, issuer }).update({ last_sign_in_at: new Date() });
  await db('users').where({ id: userId }).update({ oidc_admin: admin });
}
