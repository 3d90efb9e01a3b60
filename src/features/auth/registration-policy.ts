// Who may create an account: REGISTRATION (open, domains, invite, closed), REGISTRATION_DOMAINS and invite links,
// applied to every way an account is first created (email form, Google, OpenID Connect). A refusal says why.
//   open     anyone (limited to REGISTRATION_DOMAINS when that is set, as before `domains` existed)
//   domains  REGISTRATION_DOMAINS only
//   invite   only with a valid invite link (uses one use)
//   closed   nobody, not even with an invite
// In open and domains modes an invite is not needed; it admits an address outside REGISTRATION_DOMAINS (an
// administrator chose to let that person in), and is only used up then.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';
import { takeInviteUse } from './invites.repo.ts';
import { tr } from '../../i18n/text.ts';

export type RegistrationContext = {
  /** An invite link's code, when the visitor came through one. */
  invite?: string | null;
};

export const REGISTRATION_CLOSED = tr('auth:error.registrationClosed');
export const INVITE_NEEDED = tr('auth:error.inviteNeeded');

const domainOf = (email: string) => email.split('@').pop()!.toLowerCase();

/** Whether the registration form should be offered at all (closed, or invite mode without a code: no). */
export function registrationOffered(config: Config, invite: string | null | undefined): boolean {
  const mode = config.registration.mode;
  return mode === 'open' || mode === 'domains' || (mode === 'invite' && Boolean(invite));
}

/** Throws an HttpError saying why when this email may not get a new account; uses up one use of a valid invite. */
export async function assertMayRegister(db: Db, config: Config, email: string, ctx: RegistrationContext = {}): Promise<void> {
  const { mode, domains } = config.registration;
  const invite = typeof ctx.invite === 'string' && ctx.invite.trim() ? ctx.invite.trim() : null;
  if (mode === 'closed') throw new HttpError(403, REGISTRATION_CLOSED);
  const useInvite = async () => {
    const problem = await takeInviteUse(db, invite!);
    if (problem) throw new HttpError(403, problem, 'invite');
  };
  if (mode === 'invite') {
    if (!invite) throw new HttpError(403, INVITE_NEEDED, 'invite');
    return useInvite();
  }
  if (!domains.length || domains.includes(domainOf(email))) return;
  if (invite) return useInvite();
  const only = tr('auth:error.domainsOnly', { domains: domains.map((d) => `@${d}`).join(', ') });
  throw new HttpError(422, tr('errors:invalidFields'), 'invalid', { email: only });
}
