// What makes a password too easy to guess, beyond its length (zod checks 8 to 1024 characters first).
// The list is zxcvbn-ts's ranked list of ~49,000 passwords seen most in breaches (a maintained npm package, not a
// list typed here); read once, on the first password that needs checking, so start-up does not pay for it.
import { dictionary } from '@zxcvbn-ts/language-common';
import { tr, type Text } from '../../i18n/text.ts';

let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common']));

/** Why this password is refused, in words for the form; null when it is acceptable. */
export function passwordProblem(password: string, email?: string): Text | null {
  if (password.trim() === '') return tr('auth:error.passwordSpaces');
  const lower = password.trim().toLowerCase();
  if (email) {
    const address = email.trim().toLowerCase();
    if (lower === address || lower === address.slice(0, address.indexOf('@'))) {
      return tr('auth:error.passwordIsEmail');
    }
  }
  if (commonPasswords().has(lower)) {
    return tr('auth:error.passwordCommon');
  }
  return null;
}
