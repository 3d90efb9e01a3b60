// `npm run admin:reset-link -- someone@example.com`: the operator's way in. Prints a one-time password reset link
// for that address, creating the account first if there is none (whatever REGISTRATION says: whoever runs this
// already holds the server). Setting a password through the link proves the address (see admin-gate.ts), so this is
// how the first administrator gets in when only email and password sign-in is set up, and how one gets back in.
import { ConfigError, loadConfig, loadDotEnv } from '../../config.ts';
import { createDb, migrateLatest } from '../../db.ts';
import { createResetLink } from '../auth/password-resets.ts';
import { createUser, findUserByEmail, isEmailAddress, isGuest, normalizeEmail } from '../auth/users.repo.ts';

export async function resetLinkFor(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const email = normalizeEmail(argv[0] ?? '');
  if (!isEmailAddress(email)) throw new ConfigError('Usage: npm run admin:reset-link -- name@example.com');
  const config = loadConfig(env);
  const db = createDb(config.databaseUrl);
  try {
    await migrateLatest(db);
    const user = (await findUserByEmail(db, email)) ?? (await createUser(db, { email }));
    if (isGuest(user)) throw new ConfigError(`${email} is a guest account.`);
    const { code, expiresAt } = await createResetLink(db, user.id);
    const origin = config.publicUrl ? new URL(config.publicUrl).origin : `http://localhost:${config.port}`;
    return `${origin}${config.basePath}/reset/${code}\n(one use, until ${expiresAt.toISOString()})`;
  } finally {
    await db.destroy();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) {
  loadDotEnv();
  resetLinkFor(process.argv.slice(2)).then((line) => { console.log(line); }, (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
