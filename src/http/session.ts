// express-session holds only what sessions are for: the CSRF secret, OAuth state, flash messages.
// Sessions live in the database so that several instances share them.
import session, { type SessionData } from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import { selectRows, type Db } from '../db.ts';
import { WeightedLru } from '../lib/lru.ts';
import type { NextFunction, Request, Response } from 'express';
import { authorizationOf } from './auth.ts';
import { cookiePath } from './base-path.ts';

export const isBearerApiCall = (req: Request) => (req.path === '/api' || req.path.startsWith('/api/')) && authorizationOf(req).kind === 'bearer';

// express-session touches the session on every request to slide its expiry: a database write per page view. Once
// per sid per 10 minutes is plenty for a 7-day session (the expiry slides by at most that much less).
const TOUCH_EVERY_MS = 10 * 60 * 1000;

type Callback = (err?: unknown) => void;

// The session row's read, as connect-session-knex writes it (utils.js expiredCondition) for each dialect.
const GET_SQLITE = 'SELECT `sess` FROM `sessions` WHERE `sid` = ? AND datetime(?) <= datetime(`expired`)';
const GET_MYSQL = 'SELECT `sess` FROM `sessions` WHERE `sid` = ? AND CAST(? AS DATETIME) <= `expired`';

/** Now as the store writes `expired`: ISO text on SQLite, DATETIME text (UTC, whole seconds) on MySQL. */
const storeNow = (db: Db) => (db.client.dialect === 'mysql' ? new Date().toISOString().slice(0, 19).replace('T', ' ') : new Date().toISOString());

/**
 * connect-session-knex reports a database error to express-session's callback *and* rejects the promise it returns,
 * which express-session ignores: an unhandled rejection, which ends a Node process. Its touch() never calls back on
 * an error at all, so the response would hang. Here every error goes to the callback once and nothing rejects, so a
 * database outage is a 500 page, not a crash.
 */
class SessionStore extends ConnectSessionKnexStore {
  private touchedAt = new WeightedLru<string, number>(100_000, () => 1);

  constructor(private db: Db) {
    super({ knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
    // The store checks at construction that its table exists (migrations make sure it does). If the database is down
    // at that moment, that check would reject unhandled and fail every later call: don't depend on it.
    this.ready.catch(() => {});
    this.ready = Promise.resolve();
  }
  /**
   * Performance (issue 18): every page reads its session row. connect-session-knex builds this query with knex's
   * builder on each call; here it is SQL written once with the store's own condition on each dialect (the store
   * compares the row's `expired` with its text of now: datetime() of ISO text on SQLite, a DATETIME on MySQL), and
   * the same parse of the `sess` column. An expired row is no session, exactly as before.
   */
  override async get(sid: string, callback: (err: unknown, s?: SessionData | null) => void): Promise<SessionData | null> {
    let session: SessionData | null;
    try {
      const mysql = this.db.client.dialect === 'mysql';
      const [row] = await selectRows(this.db, mysql ? GET_MYSQL : GET_SQLITE, [sid, storeNow(this.db)]);
      const sess = row?.sess ?? null;
      session = typeof sess === 'string' ? JSON.parse(sess) : sess;
    } catch (err) {
      callback(err);
      return null;
    }
    callback(null, session);
    return session;
  }
  override set(sid: string, s: SessionData, callback?: Callback): Promise<void> {
    return super.set(sid, s, callback).catch(() => undefined);
  }
  override destroy(sid: string, callback?: Callback): Promise<number> {
    return super.destroy(sid, callback).catch(() => 0);
  }
  override touch(sid: string, s: SessionData, callback?: Callback): Promise<void> {
    const now = Date.now();
    if (now - (this.touchedAt.get(sid) ?? 0) < TOUCH_EVERY_MS) { callback?.(); return Promise.resolve(); }
    this.touchedAt.set(sid, now);
    return super.touch(sid, s).then(() => callback?.(), (err: unknown) => callback?.(err));
  }
}

export function sessionMiddleware(db: Db, opts: { secret: string; basePath: string }) {
  // No cleanup timer: expired rows are deleted by the periodic purge (pruneSessions, from purgeAuthData).
  const store = new SessionStore(db);
  const withSession = session({
    name: 'mc_sid',
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    // 'auto' follows req.secure, which honours X-Forwarded-Proto from a trusted proxy.
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: cookiePath(opts.basePath), maxAge: 7 * 24 * 3600 * 1000 },
  });
  // Performance (issue 18): a JSON API call authenticated by its Bearer header uses no session (no CSRF check, no
  // flash, no OAuth state: see csrf.ts and auth.api.ts), yet express-session made it a new one (a random id, hooks on
  // the response) and read the row of any mc_sid cookie it carried. Such calls skip it; req.session is then undefined.
  const middleware = (req: Request, res: Response, next: NextFunction) =>
    (isBearerApiCall(req) ? next() : withSession(req, res, next));
  return { middleware, store };
}

/** Deletes expired sessions (the store writes `expired` as ISO text on SQLite and DATETIME on MySQL). */
export async function pruneSessions(db: Db): Promise<number> {
  return db('sessions').where('expired', '<', storeNow(db)).delete();
}
