// The only reader of process.env: everything else receives a parsed, typed Config.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** Languages (issue 17): the single sign-on button's label when OIDC_BUTTON_LABEL is not set (translated when shown). */
export const DEFAULT_OIDC_BUTTON = 'Sign in with single sign-on';

export type Env = Record<string, string | undefined>;

const DEFAULT_DATABASE_URL = 'sqlite:data/mistralchat.sqlite3';
const SECRETS_FILE = 'data/secrets.json';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(emptyToUndefined, schema.optional());
const bool = (fallback: boolean) =>
  z.preprocess(
    (v) => emptyToUndefined(v) ?? String(fallback),
    z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }),
  ).transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (v) => emptyToUndefined(v) ?? String(fallback),
    z.string().regex(/^\d+$/, { message: 'must be a whole number' }),
  ).transform(Number).pipe(z.number().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));
const list = z.preprocess(emptyToUndefined, z.string().optional())
  .transform((v) => (v ? v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : []));

const basePath = z.preprocess(
  (v) => emptyToUndefined(v) ?? '',
  z.string().regex(/^(\/[A-Za-z0-9._~-]+)*\/?$/, { message: 'must be a path such as /chat' }),
).transform((v) => v.replace(/\/+$/, ''));

// 32 bytes, as 64 hex characters or base64.
const key32 = z.string().transform((v, ctx) => {
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (buf.length !== 32) ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex characters or base64' });
  return buf;
});

const schema = z.object({
  NODE_ENV: z.preprocess((v) => emptyToUndefined(v) ?? 'development', z.enum(['development', 'production', 'test'])),
  PORT: int(3000, 0, 65535),
  HOST: opt(z.string()),
  DATABASE_URL: z.preprocess(
    (v) => emptyToUndefined(v) ?? DEFAULT_DATABASE_URL,
    z.string().regex(/^(mysql|mariadb):\/\/.+|^sqlite:.+/, { message: 'must start with mysql:// or sqlite:' }),
  ),
  BASE_PATH: basePath,
  TRUST_PROXY: opt(z.string()),
  PUBLIC_URL: opt(z.url({ message: 'must be an absolute URL such as https://chat.example.com' })),
  SESSION_SECRET: opt(z.string().min(16, { message: 'must be at least 16 characters' })),
  ENCRYPTION_KEY: opt(key32),
  MISTRAL_API_KEY: opt(z.string()),
  MISTRAL_SERVER_URL: z.preprocess((v) => emptyToUndefined(v) ?? 'https://api.mistral.ai', z.url({ message: 'must be a URL' })),
  MISTRAL_DEFAULT_MODEL: z.preprocess((v) => emptyToUndefined(v) ?? 'mistral-small-latest', z.string()),
  MISTRAL_MODELS: list,
  MISTRAL_IDLE_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  MAX_MESSAGE_CHARS: int(100_000, 1, 1_000_000),
  SEND_LIMIT_PER_MINUTE: int(20, 0, 100_000),
  SHARE_LIMIT_PER_HOUR: int(30, 0, 100_000),
  GOOGLE_CLIENT_ID: opt(z.string()),
  GOOGLE_CLIENT_SECRET: opt(z.string()),
  GOOGLE_ALLOWED_DOMAINS: list,
  // Administration (issue 16): `domains` and `invite` join open and closed (src/features/auth/registration-policy.ts).
  REGISTRATION: z.preprocess((v) => emptyToUndefined(v) ?? 'open', z.enum(['open', 'domains', 'invite', 'closed'])),
  REGISTRATION_DOMAINS: list,
  // Administration (src/features/admin): these addresses, and nobody else, are administrators.
  ADMIN_EMAILS: list,
  // Usage and quotas (src/features/usage): tokens a user may spend a month on the server's key (0 or empty: no limit).
  MONTHLY_TOKEN_QUOTA: int(0, 0, Number.MAX_SAFE_INTEGER),
  // Single sign-on with any OpenID Connect provider (src/features/auth/oidc.ts): on when issuer, id and secret are set.
  OIDC_ISSUER: opt(z.url({ message: 'must be the provider\'s issuer URL, such as https://sso.example.com/realms/main' })),
  OIDC_CLIENT_ID: opt(z.string()),
  OIDC_CLIENT_SECRET: opt(z.string()),
  // Languages (issue 17): this default is shown translated (auth:oidc.button); a label the operator sets, as written.
  OIDC_BUTTON_LABEL: z.preprocess((v) => emptyToUndefined(v) ?? DEFAULT_OIDC_BUTTON, z.string().max(80)),
  OIDC_SCOPES: z.preprocess((v) => emptyToUndefined(v) ?? 'openid email profile', z.string().regex(/^[\x21-\x7e ]+$/, { message: 'must be scopes separated by spaces' })),
  OIDC_ADMIN_GROUP: opt(z.string()),
  OIDC_GROUPS_CLAIM: z.preprocess((v) => emptyToUndefined(v) ?? 'groups', z.string()),
  TOKEN_TTL_DAYS: int(30, 1, 3650),
  TRUSTED_AUTH_HEADER: opt(z.string().regex(/^[A-Za-z0-9-]+$/, { message: 'must be a header name' })),
  ALLOW_GUESTS: bool(false),
  GUEST_TTL_HOURS: int(24, 1, 24 * 365),
  // Export and import (src/features/transfer).
  IMPORT_MAX_BYTES: int(20_971_520, 1024, 1_073_741_824),
  IMPORT_MAX_CONVERSATIONS: int(10_000, 1, 1_000_000),
  IMPORT_MAX_MESSAGES: int(100_000, 1, 10_000_000),
  IMPORT_LIMIT_PER_HOUR: int(10, 0, 100_000),
  // Files and voice (src/features/files).
  FILE_MAX_BYTES: int(10_485_760, 1024, 104_857_600),
  FILES_PER_MESSAGE: int(8, 1, 64),
  FILES_MAX_BYTES_PER_USER: int(524_288_000, 1024, 1_099_511_627_776),
  MISTRAL_OCR_MODEL: z.preprocess((v) => emptyToUndefined(v) ?? 'mistral-ocr-latest', z.string()),
  MISTRAL_TRANSCRIPTION_MODEL: z.preprocess((v) => emptyToUndefined(v) ?? 'voxtral-mini-latest', z.string()),
  AUDIO_MAX_BYTES: int(26_214_400, 1024, 1_073_741_824),
  LOG_LEVEL: z.preprocess((v) => emptyToUndefined(v) ?? 'info', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(e: z.infer<typeof schema>, secrets: { sessionSecret: string; encryptionKey: Buffer }) {
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    basePath: e.BASE_PATH,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    sessionSecret: secrets.sessionSecret,
    encryptionKey: secrets.encryptionKey,
    mistral: {
      apiKey: e.MISTRAL_API_KEY,
      serverUrl: e.MISTRAL_SERVER_URL.replace(/\/+$/, ''),
      defaultModel: e.MISTRAL_DEFAULT_MODEL,
      models: e.MISTRAL_MODELS,
      // An answer fails when Mistral sends nothing for this long (a long answer that keeps coming is never cut).
      idleTimeoutMs: e.MISTRAL_IDLE_TIMEOUT_MS,
    },
    maxMessageChars: e.MAX_MESSAGE_CHARS,
    sendLimitPerMinute: e.SEND_LIMIT_PER_MINUTE,
    /** Share links a user may create per hour (0: no limit). */
    shareLimitPerHour: e.SHARE_LIMIT_PER_HOUR,
    google: { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, allowedDomains: e.GOOGLE_ALLOWED_DOMAINS },
    registration: { mode: e.REGISTRATION, domains: e.REGISTRATION_DOMAINS },
    /** Administrators by email (normalised: trimmed, lower-cased); see src/features/admin/admin-gate.ts. */
    adminEmails: e.ADMIN_EMAILS.map((a) => a.normalize('NFC')),
    // Usage and quotas: the default monthly quota per user on the server's key, or null (admins may override per user).
    monthlyTokenQuota: e.MONTHLY_TOKEN_QUOTA || null,
    // Single sign-on (OpenID Connect): see src/features/auth/oidc.ts.
    oidc: {
      issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, buttonLabel: e.OIDC_BUTTON_LABEL,
      scopes: e.OIDC_SCOPES.split(' ').filter(Boolean), adminGroup: e.OIDC_ADMIN_GROUP, groupsClaim: e.OIDC_GROUPS_CLAIM,
    },
    tokenTtlDays: e.TOKEN_TTL_DAYS,
    trustedAuthHeader: e.TRUSTED_AUTH_HEADER?.toLowerCase(),
    guests: { allowed: e.ALLOW_GUESTS, ttlHours: e.GUEST_TTL_HOURS },
    logLevel: e.LOG_LEVEL,
    // Export and import: the largest upload, how many conversations and messages one import may hold, imports per hour.
    transfer: { maxBytes: e.IMPORT_MAX_BYTES, maxConversations: e.IMPORT_MAX_CONVERSATIONS, maxMessages: e.IMPORT_MAX_MESSAGES, importsPerHour: e.IMPORT_LIMIT_PER_HOUR },
    // Files and voice: the largest file, files per message, all of a user's files together; OCR and transcription
    // models; the largest audio file a transcription takes (a recording is not kept).
    files: {
      maxFileBytes: e.FILE_MAX_BYTES, maxPerMessage: e.FILES_PER_MESSAGE, maxBytesPerUser: e.FILES_MAX_BYTES_PER_USER,
      ocrModel: e.MISTRAL_OCR_MODEL, transcriptionModel: e.MISTRAL_TRANSCRIPTION_MODEL, maxAudioBytes: e.AUDIO_MAX_BYTES,
    },
  };
}

// Express's trust-proxy setting: a hop count, true/false, or a list of names/addresses.
function parseTrustProxy(v: string | undefined): boolean | number | string {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

/**
 * With TRUSTED_AUTH_HEADER, the header is believed only from the proxy's own address, so TRUST_PROXY must name that
 * address. A hop count or `true` trusts every connection (Express asks about the client's address at hop 0), which
 * would let anyone send the header. Returns what is wrong, or null.
 */
function trustProxyForHeaderSignIn(v: string | undefined): string | null {
  if (v === undefined || v === 'false') return null; // trusts nobody: the header is always ignored
  const listOnly = 'must list proxy addresses (loopback, linklocal, uniquelocal, IPs or CIDRs such as 10.0.0.0/8) when TRUSTED_AUTH_HEADER is set';
  if (v === 'true' || /^\d+$/.test(v)) return `${listOnly}, not a hop count or true`;
  const bad = v.split(',').map((s) => s.trim()).find((item) => !isProxyAddress(item));
  return bad === undefined ? null : `${listOnly}; "${bad}" is none of these`;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(item: string): boolean {
  if (PROXY_NAMES.has(item)) return true;
  const [addr, range, ...rest] = item.split('/');
  if (rest.length || !isIP(addr)) return false;
  if (range === undefined) return true;
  // A /0 range (or a 0.0.0.0 netmask) is every address: as unsafe as `true`.
  const max = isIP(addr) === 4 ? 32 : 128;
  return (/^\d{1,3}$/.test(range) && Number(range) >= 1 && Number(range) <= max) || (isIP(addr) === 4 && isIP(range) === 4 && range !== '0.0.0.0');
}

// Single sign-on (OpenID Connect).
function oidcConfigProblem(e: z.infer<typeof schema>): string | null {
  if (!e.OIDC_ISSUER) return e.OIDC_CLIENT_ID ? 'OIDC_ISSUER must be set when OIDC_CLIENT_ID is' : null;
  if (!e.OIDC_CLIENT_ID) return 'OIDC_CLIENT_ID must be set when OIDC_ISSUER is';
  const u = new URL(e.OIDC_ISSUER);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return `OIDC_ISSUER=${JSON.stringify(e.OIDC_ISSUER)}: must be https (http only for localhost)`;
  return null;
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: Env = process.env, opts: { secretsDir?: string; log?: (msg: string) => void } = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(env[String(i.path[0])] ?? '')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  const proxyProblem = e.TRUSTED_AUTH_HEADER ? trustProxyForHeaderSignIn(e.TRUST_PROXY) : null;
  if (proxyProblem) throw new ConfigError(`Invalid configuration: TRUST_PROXY=${JSON.stringify(e.TRUST_PROXY ?? '')}: ${proxyProblem}`);
  // Administration: `domains` with no domains would quietly be `closed`; say so at start-up instead.
  if (e.REGISTRATION === 'domains' && !e.REGISTRATION_DOMAINS.length) {
    throw new ConfigError('Invalid configuration: REGISTRATION="domains": set REGISTRATION_DOMAINS to the allowed email domains');
  }
  // Single sign-on (OpenID Connect): a half-configured provider, or one over plain http off this machine, is refused.
  const oidcProblem = oidcConfigProblem(e);
  if (oidcProblem) throw new ConfigError(`Invalid configuration: ${oidcProblem}`);
  let sessionSecret = e.SESSION_SECRET;
  let encryptionKey = e.ENCRYPTION_KEY;
  if (!sessionSecret || !encryptionKey) {
    if (e.NODE_ENV === 'production') {
      const missing = [!sessionSecret && 'SESSION_SECRET', !encryptionKey && 'ENCRYPTION_KEY'].filter(Boolean).join(', ');
      throw new ConfigError(`Invalid configuration: ${missing} must be set when NODE_ENV=production`);
    }
    const dev = devSecrets(opts.secretsDir ?? '.', opts.log ?? ((m) => console.error(m)));
    sessionSecret ??= dev.sessionSecret;
    encryptionKey ??= Buffer.from(dev.encryptionKey, 'hex');
  }
  return toConfig(e, { sessionSecret, encryptionKey });
}

/** Outside production, secrets are generated once and kept in data/secrets.json so restarts keep sessions. */
function devSecrets(dir: string, log: (msg: string) => void): { sessionSecret: string; encryptionKey: string } {
  const file = path.resolve(dir, SECRETS_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = { sessionSecret: randomBytes(32).toString('base64url'), encryptionKey: randomBytes(32).toString('hex') };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  log(`Generated SESSION_SECRET and ENCRYPTION_KEY for development in ${file} (set them in the environment for production).`);
  return secrets;
}

/** Reads .env if present (Node's own parser), without overriding what the environment already has. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
