// What makes a password too easy to guess, beyond its length (zod checks 8 to 1024 characters first).
// The list is zxcvbn-ts's ranked list of ~49,000 passwords seen most in breaches (a maintained npm package, not a
// list typed here); read once, on the first password that needs checking, so start-up does not pay for it.
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common']));

/** Why this password is refused, in words for the form; null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.trim() === '') return 'A password of only spaces is too easy to guess. Use words or characters.';
  const lower = password.trim().toLowerCase();
  if (email) {
    const address = email.trim().toLowerCase();
    if (lower === address || lower === address.slice(0, address.indexOf('@'))) {
      return 'Your email address, or its part before the @, is the first thing anyone would try. Choose something else.';
    }
  }
  if (commonPasswords().has(lower)) {
    return 'This is one of the most common passwords, tried first by anyone guessing. A few unrelated words make a better one.';
  }
  return null;
}
