// Intranet sign-in by a header that a trusted proxy sets (TRUSTED_AUTH_HEADER, e.g. Remote-Email). The header is
// honoured only when the connection itself comes from an address the app's trust-proxy setting trusts: from
// anywhere else, anyone could send it, so it is ignored. TRUST_PROXY must then be a list of addresses (config.ts
// refuses a hop count or `true` at start-up: those trust every connection when asked about hop 0).
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { isBearerRequest } from '../../http/csrf.ts';
import { HttpError } from '../../http/http-error.ts';
import { userForTrustedEmail } from './auth.service.ts';
import { DISABLED_MESSAGE, touchLastActive } from './users.repo.ts';

type TrustFn = (addr: string | undefined, i: number) => boolean;

export function trustedHeaderSignIn(db: Db, config: Config) {
  // Belt and braces: only an address list is ever asked (config.ts already refuses anything else with the header).
  const header = typeof config.trustProxy === 'string' ? config.trustedAuthHeader : undefined;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!header || isBearerRequest(req)) return next();
    const value = req.get(header);
    if (!value) return next();
    const trusted = (req.app.get('trust proxy fn') as TrustFn)(req.socket.remoteAddress, 0);
    if (!trusted) return next();
    const user = await userForTrustedEmail(db, value);
    // Administration: the proxy vouches for a disabled account: every page says so (and nothing is signed in).
    if (user?.disabledAt) {
      req.user = undefined;
      res.locals.user = undefined;
      return next(new HttpError(403, DISABLED_MESSAGE, 'disabled'));
    }
    if (user) await touchLastActive(db, user);
    if (user && user.id !== req.user?.id) {
      // The proxy speaks for this request: it wins over a cookie left by someone else.
      req.user = user;
      req.tokenId = undefined;
      res.locals.user = { id: user.id, email: user.email, name: user.name, picture: user.picture };
    }
    next();
  };
}
