// Accounts: registration, password sign-in, Google, guests, trusted-header users, password change, deletion.
// Services take the db and plain input; they never see req/res. Errors a person should read are HttpErrors.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/errors.ts';
import { GoogleTokenError, type Google, type GoogleProfile } from './google.ts';
import { passwordProblem } from './password-rules.ts';
import { hashPassword, verifyDummy, verifyPassword } from './passwords.ts';
import { accountBucket, clearFailures, ipBucket, LIMITS, sendBucket, takeAttempt, type Check } from './rate-limits.ts';
import { issueToken, revokeAllTokens, revokeOtherTokens } from './tokens.repo.ts';
import { assertMayRegister } from './registration-policy.ts';
import { tr, type Text } from '../../i18n/text.ts';
import {
  createGuestUser, createUser, deleteUser, DISABLED_MESSAGE, findUserByEmail, findUserByGoogleSub, findUserById, isEmailAddress, isGuest,
  normalizeEmail,
  updateUser, type User,
} from './users.repo.ts';

// Administration (issue 16): a disabled account signs in nowhere, and says so (only after the right credentials).
const refuseDisabled = (user: User) => {
  if (user.disabledAt) throw new HttpError(403, DISABLED_MESSAGE, 'disabled');
};

/**
 * The email form never creates an account for an ADMIN_EMAILS address: it cannot check that the address is the
 * registrant's, and whoever registered it first would sit on the administrator's address. Its owner signs in with
 * Google or OpenID Connect (which confirm the address), through the trusted proxy, or sets a password through a reset
 * link made by the operator (`npm run admin:reset-link`). See README "Administration".
 */
export const ADMIN_ADDRESS_RESERVED = tr('auth:error.adminReserved');

const inviteOf = (input: unknown): string | null => {
  const v = (input as Record<string, unknown> | null | undefined)?.invite;
  return typeof v === 'string' && v.length <= 200 ? v : null;
};

export type Client = { ip?: string; userAgent?: string };
export type SignedIn = { user: User; token: string };

export const WRONG_CREDENTIALS = tr('auth:error.wrongCredentials');

const emailField = z.string({ message: 'auth:error.emailRequired' }).trim()
  // abort: a failed length check ends validation, so nothing below ever sees an over-long value.
  .max(320, { message: 'auth:error.emailTooLong', abort: true })
  .refine(isEmailAddress, { message: 'auth:error.emailInvalid' });
export const passwordField = z.string({ message: 'auth:error.passwordRequired' }).min(8, { message: 'auth:error.passwordTooShort', abort: true })
  .max(1024, { message: 'auth:error.passwordTooLong', abort: true });
const nameField = z.string().trim().max(200, { message: 'auth:error.nameTooLong' }).optional().nullable();

const registerSchema = z.object({ email: emailField, password: passwordField, name: nameField });
const loginSchema = z.object({ email: z.string({ message: 'auth:error.emailRequired' }).trim().min(1, { message: 'auth:error.emailRequired' }).max(320), password: z.string({ message: 'auth:error.yourPasswordRequired' }).min(1, { message: 'auth:error.yourPasswordRequired' }).max(1024) });

/**
 * Parses input or throws 422 with one message per field. Languages (issue 17): a schema's message is a catalogue key
 * ('auth:error.emailRequired'), translated where it is shown; zod's own English (a schema without one) stays as is.
 */
export function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const fields: Record<string, string | Text> = {};
  for (const i of r.error.issues) fields[String(i.path[0] ?? 'form')] ??= /^[a-z]+:[\w.]+$/.test(i.message) ? tr(i.message) : i.message;
  throw new HttpError(422, tr('errors:invalidFields'), 'invalid', fields);
}

export function refuseWeakPassword(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new HttpError(422, tr('errors:invalidFields'), 'invalid', { password: problem });
}

export const tokenFor = (db: Db, config: Config, user: User, client: Client) =>
  issueToken(db, user.id, { ttlDays: isGuest(user) ? config.guests.ttlHours / 24 : config.tokenTtlDays, userAgent: client.userAgent });

const failedSignInsFrom = (client: Client): Check =>
  ({ bucket: ipBucket('login', client.ip), limit: LIMITS.loginPerIp, what: tr('errors:rateLimit.signInsFromNetwork') });

const duplicate = () => new HttpError(409, tr('auth:error.duplicate'), 'conflict', { email: tr('auth:error.duplicate') });
export const isUniqueViolation = (err: unknown) => /UNIQUE|Duplicate entry|ER_DUP_ENTRY/i.test(String((err as Error)?.message ?? ''));

/** A guest who registers keeps their row (and so their threads): it becomes the real account. */
export async function register(db: Db, config: Config, input: unknown, client: Client, guest?: User): Promise<SignedIn> {
  // Every attempt counts by address, valid or not; then by the email asked for (409s would otherwise probe accounts).
  await takeAttempt(db, [{ bucket: ipBucket('register', client.ip), limit: LIMITS.registerPerIp, what: tr('errors:rateLimit.registrationsFromNetwork') }]);
  const data = parse(registerSchema, input);
  const email = normalizeEmail(data.email);
  refuseWeakPassword(data.password, email);
  await takeAttempt(db, [{ bucket: accountBucket(email, 'register'), limit: LIMITS.registerPerAccount, what: tr('errors:rateLimit.registrationsForEmail') }]);
  if (config.adminEmails.includes(email)) throw new HttpError(403, ADMIN_ADDRESS_RESERVED, 'forbidden', { email: ADMIN_ADDRESS_RESERVED });
  const invite = inviteOf(input);
  // With an invite, an address that already has an account is refused before a use of the invite is taken.
  if (invite && (await findUserByEmail(db, email))) throw duplicate();
  await assertMayRegister(db, config, email, { invite });
  if (await findUserByEmail(db, email)) throw duplicate();
  const passwordHash = await hashPassword(data.password);
  const name = data.name || null;
  let user: User;
  try {
    if (guest && isGuest(guest)) {
      await updateUser(db, guest.id, { email, name, passwordHash, guestExpiresAt: null });
      await revokeAllTokens(db, guest.id);
      user = (await findUserById(db, guest.id))!;
    } else {
      user = await createUser(db, { email, name, passwordHash });
    }
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
  return { user, token: await tokenFor(db, config, user, client) };
}

/** Wrong password and unknown email cost the same scrypt work and answer the same message. */
export async function login(db: Db, config: Config, input: unknown, client: Client): Promise<SignedIn> {
  const data = parse(loginSchema, input);
  const email = normalizeEmail(data.email);
  // Counted before any password work, so simultaneous guesses cannot all slip under the limit.
  const attempt = await takeAttempt(db, [
    failedSignInsFrom(client),
    { bucket: accountBucket(email), limit: LIMITS.loginPerAccount, what: tr('errors:rateLimit.signInsForAccount') },
  ]);
  const user = await findUserByEmail(db, email);
  const ok = user?.passwordHash ? await verifyPassword(data.password, user.passwordHash) : await verifyDummy(data.password);
  // A failure keeps its attempt; a success takes it back and clears the account's failures.
  if (!user || !ok) throw new HttpError(401, WRONG_CREDENTIALS, 'unauthorized', { password: WRONG_CREDENTIALS });
  refuseDisabled(user);
  await attempt.forget();
  await clearFailures(db, accountBucket(email));
  return { user, token: await tokenFor(db, config, user, client) };
}

/**
 * Signs in (or creates) the account of a verified Google profile. An email that already belongs to another account
 * is refused: linking happens only from the signed-in account page, never silently.
 */
export async function signInWithGoogle(db: Db, config: Config, profile: GoogleProfile, client: Client, guest?: User, ctx: { invite?: string | null } = {}): Promise<SignedIn> {
  let user = await findUserByGoogleSub(db, profile.sub);
  if (user) {
    refuseDisabled(user);
    // Google confirms the address on every sign-in (email_verified): the account's address is now shown to be its own.
    if (!user.emailVerifiedAt && normalizeEmail(profile.email) === user.email) {
      await updateUser(db, user.id, { emailVerifiedAt: new Date() });
      user = (await findUserById(db, user.id))!;
    }
  } else {
    if (await findUserByEmail(db, profile.email)) {
      throw new HttpError(409, tr('auth:google.emailTaken'));
    }
    // Administration (issue 16): a first Google sign-in creates an account, so the registration policy applies.
    await assertMayRegister(db, config, normalizeEmail(profile.email), { invite: ctx.invite });
    try {
      if (guest && isGuest(guest)) {
        await updateUser(db, guest.id, { email: profile.email, name: profile.name, picture: profile.picture, googleSub: profile.sub, guestExpiresAt: null, emailVerifiedAt: new Date() });
        await revokeAllTokens(db, guest.id);
        user = (await findUserById(db, guest.id))!;
      } else {
        user = await createUser(db, { email: profile.email, name: profile.name, picture: profile.picture, googleSub: profile.sub, emailVerified: true });
      }
    } catch (err) {
      if (isUniqueViolation(err)) throw new HttpError(409, tr('auth:error.alreadyExists'));
      throw err;
    }
  }
  return { user, token: await tokenFor(db, config, user, client) };
}

/** A Google id_token sent by a script: a bad token counts as a failed sign-in from the address. */
export async function signInWithIdToken(db: Db, config: Config, google: Google, idToken: unknown, client: Client, guest?: User, ctx: { invite?: string | null } = {}): Promise<SignedIn> {
  const attempt = await takeAttempt(db, [failedSignInsFrom(client)]);
  if (typeof idToken !== 'string' || !idToken || idToken.length > 8192) throw new HttpError(401, tr('auth:google.sendIdToken'));
  let profile: GoogleProfile;
  try {
    profile = await google.verifyIdToken(idToken);
  } catch (err) {
    if (err instanceof GoogleTokenError) throw new HttpError(401, err.message);
    throw err;
  }
  await attempt.forget();
  return signInWithGoogle(db, config, profile, client, guest, ctx);
}

export async function linkGoogle(db: Db, user: User, profile: GoogleProfile): Promise<void> {
  const owner = await findUserByGoogleSub(db, profile.sub);
  if (owner && owner.id !== user.id) throw new HttpError(409, tr('auth:google.alreadyLinkedElsewhere'));
  await updateUser(db, user.id, { googleSub: profile.sub, ...(user.picture ? {} : { picture: profile.picture }) });
}

export async function createGuest(db: Db, config: Config, client: Client): Promise<SignedIn> {
  if (!config.guests.allowed) throw new HttpError(404, tr('auth:error.guestsOff'));
  // Each guest is a users row: an address may create only so many.
  await takeAttempt(db, [{ bucket: ipBucket('guest', client.ip), limit: LIMITS.guestPerIp, what: tr('errors:rateLimit.guestsFromNetwork') }]);
  const expiresAt = new Date(Date.now() + config.guests.ttlHours * 3600 * 1000);
  const user = await createGuestUser(db, { placeholderEmail: `guest-${randomBytes(12).toString('hex')}@guest.invalid`, expiresAt });
  return { user, token: await tokenFor(db, config, user, client) };
}

/**
 * The user a trusted proxy vouches for, created on first sight (the proxy decides who gets in: the registration
 * policy is the proxy's). The proxy confirms the address, so the account counts as verified. A disabled account is
 * returned as it is: the caller refuses it.
 */
export async function userForTrustedEmail(db: Db, rawEmail: string): Promise<User | null> {
  const email = normalizeEmail(rawEmail);
  if (!isEmailAddress(email)) return null;
  const found = await findUserByEmail(db, email);
  if (found && !found.emailVerifiedAt) await updateUser(db, found.id, { emailVerifiedAt: new Date() });
  if (found) return found.emailVerifiedAt ? found : findUserById(db, found.id);
  try {
    return await createUser(db, { email, name: null, emailVerified: true });
  } catch (err) {
    if (isUniqueViolation(err)) return findUserByEmail(db, email);
    throw err;
  }
}

export async function updateName(db: Db, user: User, input: unknown): Promise<void> {
  const { name } = parse(z.object({ name: nameField }), input);
  await updateUser(db, user.id, { name: name || null });
}

/** Changing the password signs out every other device; an account without a password (Google) may set one. */
export async function changePassword(db: Db, user: User, input: unknown, keepTokenId?: number): Promise<void> {
  const data = parse(z.object({ current: z.string().max(1024).optional(), password: passwordField }), input);
  refuseWeakPassword(data.password, user.email);
  if (user.passwordHash && !(await verifyPassword(data.current ?? '', user.passwordHash))) {
    throw new HttpError(422, tr('errors:invalidFields'), 'invalid', { current: tr('account:password.wrongCurrent') });
  }
  await updateUser(db, user.id, { passwordHash: await hashPassword(data.password) });
  await revokeOtherTokens(db, user.id, keepTokenId);
}

/** Deletion removes the user row (cascading to everything of theirs) and their rate-limit rows (sign-in, sending). */
export async function deleteAccount(db: Db, user: User, confirm: unknown): Promise<void> {
  if (typeof confirm !== 'string' || normalizeEmail(confirm) !== user.email) {
    throw new HttpError(422, tr('account:delete.typeEmail'), 'invalid', { confirm: tr('account:delete.typeExactly', { email: user.email }) });
  }
  await removeAccount(db, user);
}

/** Every row of an account, in one transaction: deletion by its owner and by an administrator alike. */
export async function removeAccount(db: Db, user: Pick<User, 'id' | 'email'>): Promise<void> {
  await db.transaction(async (trx) => {
    await clearFailures(trx, accountBucket(user.email));
    await clearFailures(trx, accountBucket(user.email, 'register'));
    await clearFailures(trx, sendBucket(user.id));
    await deleteUser(trx, user.id);
  });
}
