// Single sign-on with any OpenID Connect provider (Keycloak, Authentik, Entra ID, Google Workspace...), found by
// discovery from OIDC_ISSUER. Authorization code flow with PKCE (S256), state and nonce; openid-client does the
// protocol checks (issuer, audience, signature, expiry, nonce, state, the `iss` response parameter). This file
// knows nothing of users: it turns a callback into a verified profile (src/features/auth/oidc.service.ts signs in).
import * as oidc from 'openid-client';
import type { Config } from '../../config.ts';
import { isEmailAddress, normalizeEmail } from './users.repo.ts';
import { english, tr, type Text } from '../../i18n/text.ts';

export type OidcProfile = {
  issuer: string; sub: string; email: string; name: string | null; picture: string | null;
  /** In OIDC_ADMIN_GROUP (false when no group is configured). */
  admin: boolean;
};

/** What the browser's session keeps between the redirect to the provider and the callback. */
export type OidcPending = { state: string; nonce: string; verifier: string; redirectUri: string };

/** A sign-in that cannot go on; `message` is for the person, `status` for the page, `detail` for the log. */
export class OidcError extends Error {
  // Languages (issue 17): `text` is what the person reads (a catalogue Text); `message` its English, for logs.
  constructor(readonly text: Text, readonly status = 401, readonly detail?: string) { super(english(text)); }
}

export type Oidc = ReturnType<typeof createOidc>;

export function createOidc(config: Config) {
  const { issuer, clientId, clientSecret, scopes, adminGroup, groupsClaim } = config.oidc;
  const configured = Boolean(issuer && clientId);
  const scope = (scopes.includes('openid') ? scopes : ['openid', ...scopes]).join(' ');
  const host = issuer ? new URL(issuer).host : '';
  const unreachable = (detail?: string) => new OidcError(tr('auth:oidc.unreachable', { host }), 502, detail);
  let discovered: Promise<oidc.Configuration> | null = null;

  /** Discovery on first use, then cached for the life of the process; a failed one is tried again next time. */
  async function configuration(): Promise<oidc.Configuration> {
    if (!configured) throw new OidcError(tr('auth:oidc.notConfigured'), 404);
    discovered ??= oidc.discovery(
      new URL(issuer!), clientId!, clientSecret ? { client_secret: clientSecret } : undefined,
      clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
      // http only reaches here for a provider on loopback (config.ts refuses it anywhere else).
      { execute: new URL(issuer!).protocol === 'http:' ? [oidc.allowInsecureRequests] : [], timeout: 10 },
    );
    try {
      return await discovered;
    } catch (err) {
      discovered = null;
      throw unreachable(`discovery of ${issuer}: ${(err as Error)?.message}`);
    }
  }

  /** The provider's authorization URL, and what to keep until the callback. */
  async function start(redirectUri: string): Promise<{ url: string; pending: OidcPending }> {
    const cfg = await configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, redirectUri };
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri, scope, state: pending.state, nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /** Checks the callback's parameters against the pending flow, exchanges the code and reads the person's claims. */
  async function finish(query: Record<string, unknown>, pending: OidcPending): Promise<OidcProfile> {
    const cfg = await configuration();
    // The redirect_uri sent to the token endpoint must be the one of the authorization request: rebuilt from what was
    // kept, not from this request's Host (a proxy may change it).
    const current = new URL(pending.redirectUri);
    for (const [k, v] of Object.entries(query)) if (typeof v === 'string') current.searchParams.set(k, v);
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
      const idClaims = tokens.claims()!;
      claims = { ...idClaims };
      // Many providers keep email and groups out of the ID token of a code flow: then they come from userinfo,
      // which must be about the same subject.
      const needsMore = claims.email === undefined || claims.email_verified === undefined || (adminGroup && claimAt(claims, groupsClaim) === undefined);
      if (needsMore && cfg.serverMetadata().userinfo_endpoint && tokens.access_token) {
        const info = await oidc.fetchUserInfo(cfg, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      }
    } catch (err) {
      throw explain(err);
    }
    return toProfile(cfg.serverMetadata().issuer, claims);
  }

  function explain(err: unknown): OidcError {
    if (err instanceof OidcError) return err;
    // What the operator needs to fix a setup (which claim, which check), never shown to the person.
    const cause = (err as { cause?: { message?: string } })?.cause;
    const detail = [(err as Error)?.message, cause instanceof Error ? cause.message : null].filter(Boolean).join(': ');
    if (err instanceof oidc.AuthorizationResponseError) {
      return err.error === 'access_denied'
        ? new OidcError(tr('auth:oidc.cancelled'), 401, detail)
        : new OidcError(tr('auth:oidc.refused', { error: err.error }), 401, `${err.error}: ${err.error_description ?? ''}`);
    }
    if (err instanceof oidc.ResponseBodyError) {
      return new OidcError(tr('auth:oidc.refused', { error: err.error }), 401, `token endpoint ${err.status} ${err.error}: ${err.error_description ?? ''}`);
    }
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || (e?.name === 'TypeError' && /fetch failed/.test(e.message ?? ''))) return unreachable(detail);
    // Signature, issuer, audience, expiry, nonce, state: none of them is the person's doing; the log says which.
    return new OidcError(tr('auth:oidc.notVerified'), 401, detail);
  }

  function toProfile(iss: string, claims: Record<string, unknown>): OidcProfile {
    const email = typeof claims.email === 'string' ? normalizeEmail(claims.email) : '';
    if (!email || !isEmailAddress(email)) throw new OidcError(tr('auth:oidc.noEmail'), 403);
    // Accounts are matched by email, so only an address the provider has verified may match or create one.
    if (claims.email_verified !== true && claims.email_verified !== 'true') {
      throw new OidcError(tr('auth:oidc.emailNotVerified', { email }), 403);
    }
    return {
      issuer: iss, sub: String(claims.sub), email,
      name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : null,
      picture: typeof claims.picture === 'string' && /^https:\/\//.test(claims.picture) ? claims.picture.slice(0, 2000) : null,
      admin: Boolean(adminGroup && inGroup(claimAt(claims, groupsClaim), adminGroup)),
    };
  }

  return { configured, buttonLabel: config.oidc.buttonLabel, start, finish };
}

/** A claim by name, or by a dotted path into nested objects (Keycloak's `realm_access.roles`). */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), claims);
}

/** Exact names; a leading "/" is ignored on both sides (Keycloak sends "/admins" with "Full group path" on). */
function inGroup(value: unknown, group: string): boolean {
  const groups = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const want = group.replace(/^\//, '');
  return groups.some((g) => typeof g === 'string' && g.replace(/^\//, '') === want);
}
