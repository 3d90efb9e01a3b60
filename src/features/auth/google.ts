// Google sign-in through google-auth-library, server-side only: no Google script ever loads on our pages.
// Endpoints, certificates and issuers are injectable through createApp's deps (never through the environment), so
// tests run the real verification code offline against their own RSA key and a fake token endpoint on loopback.
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import type { Config } from '../../config.ts';
import { english, tr, type Text } from '../../i18n/text.ts';

export type GoogleEndpoints = {
  /** Where the browser is sent to consent (Google: https://accounts.google.com/o/oauth2/v2/auth). */
  authUrl?: string;
  /** The code exchange (Google: https://oauth2.googleapis.com/token). */
  tokenUrl?: string;
  /** PEM certificates by key id (Google: https://www.googleapis.com/oauth2/v1/certs). */
  certsUrl?: string;
  /** Fixed certificates by key id instead of fetching certsUrl. */
  certs?: Record<string, string>;
  issuers?: string[];
};

export type GoogleProfile = { sub: string; email: string; name: string | null; picture: string | null; hd: string | null };

/** Languages (issue 17): `text` is the catalogue Text shown to the person; `message` its English. */
export class GoogleTokenError extends Error {
  constructor(public text: Text) { super(english(text)); }
}

const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

export type Google = ReturnType<typeof createGoogle>;

export function createGoogle(config: Config, endpoints: GoogleEndpoints = {}) {
  const { clientId, clientSecret, allowedDomains } = config.google;
  const configured = Boolean(clientId && clientSecret);
  const client = new OAuth2Client({
    clientId, clientSecret,
    endpoints: {
      ...(endpoints.authUrl ? { oauth2AuthBaseUrl: endpoints.authUrl } : {}),
      ...(endpoints.tokenUrl ? { oauth2TokenUrl: endpoints.tokenUrl } : {}),
      ...(endpoints.certsUrl ? { oauth2FederatedSignonPemCertsUrl: endpoints.certsUrl } : {}),
    },
  });
  const issuers = endpoints.issuers ?? GOOGLE_ISSUERS;

  /** Signature, audience (our client id), issuer, expiry, verified email and hosted domain; nonce when given. */
  async function verifyIdToken(idToken: string, opts: { nonce?: string } = {}): Promise<GoogleProfile> {
    if (!configured) throw new GoogleTokenError(tr('auth:google.notConfigured'));
    let payload;
    try {
      const certs = endpoints.certs ?? (await client.getFederatedSignonCertsAsync()).certs;
      const ticket = await client.verifySignedJwtWithCertsAsync(idToken, certs, clientId!, issuers);
      payload = ticket.getPayload();
    } catch {
      throw new GoogleTokenError(tr('auth:google.notVerifiedToken'));
    }
    if (!payload?.sub || !payload.email) throw new GoogleTokenError(tr('auth:google.noEmail'));
    if (payload.email_verified !== true) throw new GoogleTokenError(tr('auth:google.emailNotVerified'));
    if (opts.nonce !== undefined && payload.nonce !== opts.nonce) throw new GoogleTokenError(tr('auth:google.notVerifiedToken'));
    const hd = payload.hd ?? null;
    if (allowedDomains.length && !(hd && allowedDomains.includes(hd.toLowerCase()))) {
      throw new GoogleTokenError(tr('auth:google.domainsOnly', { domains: allowedDomains.join(', ') }));
    }
    return { sub: payload.sub, email: payload.email, name: payload.name ?? null, picture: payload.picture ?? null, hd };
  }

  async function codeChallenge() {
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    return { verifier: codeVerifier, challenge: codeChallenge! };
  }

  function authUrl(opts: { redirectUri: string; state: string; nonce: string; challenge: string }): string {
    return client.generateAuthUrl({
      redirect_uri: opts.redirectUri, scope: ['openid', 'email', 'profile'], state: opts.state, nonce: opts.nonce,
      code_challenge: opts.challenge, code_challenge_method: CodeChallengeMethod.S256, prompt: 'select_account',
      ...(allowedDomains.length === 1 ? { hd: allowedDomains[0] } : {}),
    });
  }

  /** Exchanges the code (with the PKCE verifier) and returns the id_token it carries. */
  async function exchangeCode(opts: { code: string; verifier: string; redirectUri: string }): Promise<string> {
    try {
      const { tokens } = await client.getToken({ code: opts.code, codeVerifier: opts.verifier, redirect_uri: opts.redirectUri });
      if (!tokens.id_token) throw new Error('no id_token');
      return tokens.id_token;
    } catch {
      throw new GoogleTokenError(tr('auth:google.refused'));
    }
  }

  return { configured, verifyIdToken, codeChallenge, authUrl, exchangeCode };
}
