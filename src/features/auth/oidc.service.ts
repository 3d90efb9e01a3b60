// Single sign-on (OpenID Connect): a verified profile becomes a signed-in user.
// Matching: by the provider's identity (issuer + sub) first; else by the VERIFIED email, linking that account to the
// identity. Unlike Google (which refuses silent linking: anyone can make a Google account), the OIDC provider is one
// the operator chose and trusts, and oidc.ts has already refused any email the provider has not verified: the issue
// asks for "accounts matched by verified email". An account already linked to ANOTHER identity of the same provider
// is never relinked (the address was given to someone else at the provider). New accounts go through the
// registration policy; a guest who signs in keeps their row and chats, as with Google and the email form.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/errors.ts';
import { isUniqueViolation, tokenFor, type Client, type SignedIn } from './auth.service.ts';
import type { OidcProfile } from './oidc.ts';
import { addIdentity, findUserByIdentity, identitySubOf, recordOidcSignIn } from './oidc.repo.ts';
import { assertMayRegister } from './registration-policy.ts';
import { revokeAllTokens } from './tokens.repo.ts';
import { createUser, DISABLED_MESSAGE, findUserByEmail, findUserById, isGuest, normalizeEmail, updateUser, type User } from './users.repo.ts';
import { tr } from '../../i18n/text.ts';

export async function signInWithOidc(
  db: Db, config: Config, profile: OidcProfile, client: Client, opts: { guest?: User; invite?: string | null } = {},
): Promise<SignedIn> {
  let user = await findUserByIdentity(db, profile.issuer, profile.sub);
  if (!user) {
    try {
      user = await linkOrCreate(db, config, profile, opts);
    } catch (err) {
      // Two first sign-ins racing: the other one made the row; sign in as what it made.
      if (!isUniqueViolation(err)) throw err;
      user = await findUserByIdentity(db, profile.issuer, profile.sub);
      if (!user) throw new HttpError(409, tr('auth:error.alreadyExists'));
    }
  }
  // Administration (issue 16): a disabled account signs in nowhere; the provider proved the address (email_verified),
  // which is what lets an ADMIN_EMAILS address be an administrator (admin-gate.ts).
  if (user.disabledAt) throw new HttpError(403, DISABLED_MESSAGE, 'disabled');
  if (!user.emailVerifiedAt && normalizeEmail(user.email) === normalizeEmail(profile.email)) {
    await updateUser(db, user.id, { emailVerifiedAt: new Date() });
    user = { ...user, emailVerifiedAt: new Date() };
  }
  await recordOidcSignIn(db, user.id, profile.issuer, profile.admin);
  user = { ...user, oidcAdmin: profile.admin };
  return { user, token: await tokenFor(db, config, user, client) };
}

async function linkOrCreate(db: Db, config: Config, profile: OidcProfile, opts: { guest?: User; invite?: string | null }): Promise<User> {
  const existing = await findUserByEmail(db, profile.email);
  if (existing) {
    const linkedSub = await identitySubOf(db, existing.id, profile.issuer);
    if (linkedSub !== null) {
      throw new HttpError(409, tr('auth:oidc.otherIdentity'));
    }
    await addIdentity(db, existing.id, profile.issuer, profile.sub);
    if (!existing.name && profile.name) await updateUser(db, existing.id, { name: profile.name });
    return (await findUserById(db, existing.id))!;
  }
  await assertMayRegister(db, config, profile.email, { invite: opts.invite ?? null });
  const { guest } = opts;
  if (guest && isGuest(guest)) {
    return db.transaction(async (trx) => {
      await updateUser(trx, guest.id, { email: profile.email, name: profile.name, picture: profile.picture, guestExpiresAt: null });
      await addIdentity(trx, guest.id, profile.issuer, profile.sub);
      await revokeAllTokens(trx, guest.id);
      return (await findUserById(trx, guest.id))!;
    });
  }
  return db.transaction(async (trx) => {
    const created = await createUser(trx, { email: profile.email, name: profile.name, picture: profile.picture, emailVerified: true });
    await addIdentity(trx, created.id, profile.issuer, profile.sub);
    return created;
  });
}
