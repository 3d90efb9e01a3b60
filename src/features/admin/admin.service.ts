// What an administrator does to accounts and invites. The routes (pages) and the JSON API share these, so the
// rules (not yourself, members only, every instance at once) are in one place.
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';
import { tr, type Text } from '../../i18n/text.ts';
import { removeAccount } from '../auth/auth.service.ts';
import { createInvite, INVITE_LIMITS } from '../auth/invites.repo.ts';
import { createResetLink } from '../auth/password-resets.ts';
import { revokeAllTokens } from '../auth/tokens.repo.ts';
import { findUserById, isGuest, updateUser, type User } from '../auth/users.repo.ts';

export const NOT_YOURSELF = {
  disable: tr('admin:error.selfDisable'),
  delete: tr('admin:error.selfDelete'),
};

const noSuchUser = () => new HttpError(404, tr('admin:error.noSuchUser'));

/** A member by id (a guest or an unknown id is not found). */
export async function memberById(db: Db, id: number): Promise<User> {
  const user = Number.isSafeInteger(id) && id > 0 ? await findUserById(db, id) : null;
  if (!user || isGuest(user)) throw noSuchUser();
  return user;
}

/**
 * Disables an account and signs it out everywhere at once: the column is checked wherever a token or a sign-in
 * becomes a user (on every instance, since they share the database), and its tokens and reset links are deleted.
 * Sessions (express-session rows) hold no identity here, only CSRF secrets and flash: deleting the tokens is the
 * sign-out.
 */
export async function disableUser(db: Db, admin: User, id: number): Promise<User> {
  const user = await memberById(db, id);
  if (user.id === admin.id) throw new HttpError(409, NOT_YOURSELF.disable);
  await db.transaction(async (trx) => {
    await updateUser(trx, user.id, { disabledAt: user.disabledAt ?? new Date() });
    await revokeAllTokens(trx, user.id);
    await trx('password_resets').where({ user_id: user.id }).delete();
  });
  return (await findUserById(db, user.id))!;
}

export async function enableUser(db: Db, id: number): Promise<User> {
  const user = await memberById(db, id);
  await updateUser(db, user.id, { disabledAt: null });
  return (await findUserById(db, user.id))!;
}

/** Deletes every row of the account, as the owner's own deletion does. */
export async function deleteUserAsAdmin(db: Db, admin: User, id: number): Promise<void> {
  const user = await memberById(db, id);
  if (user.id === admin.id) throw new HttpError(409, NOT_YOURSELF.delete);
  await removeAccount(db, user);
}

export async function resetLinkFor(db: Db, id: number): Promise<{ user: User; code: string; expiresAt: Date }> {
  const user = await memberById(db, id);
  return { user, ...(await createResetLink(db, user.id)) };
}

/** Reads `uses` and `expiresInDays` from a form or JSON: whole numbers within the limits, or a 422 saying which. */
export function parseInviteInput(input: unknown): { uses: number; expiresInDays: number } {
  const body = (input ?? {}) as Record<string, unknown>;
  const fields: Record<string, Text> = {};
  const whole = (v: unknown, fallback: number) => (v === undefined || v === '' ? fallback : typeof v === 'number' ? v : /^\d{1,7}$/.test(String(v)) ? Number(v) : NaN);
  const uses = whole(body.uses, 1);
  const expiresInDays = whole(body.expiresInDays, 7);
  if (!Number.isInteger(uses) || uses < 1 || uses > INVITE_LIMITS.maxUses) fields.uses = tr('admin:error.uses', { max: INVITE_LIMITS.maxUses });
  if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > INVITE_LIMITS.maxDays) fields.expiresInDays = tr('admin:error.days', { max: INVITE_LIMITS.maxDays });
  if (Object.keys(fields).length) throw new HttpError(422, tr('errors:invalidFields'), 'invalid', fields);
  return { uses, expiresInDays };
}

export async function makeInvite(db: Db, admin: User, input: unknown) {
  return createInvite(db, { ...parseInviteInput(input), createdBy: admin.id });
}
