// express-session holds only what sessions are for: the CSRF secret, OAuth state, flash messages.
// Sessions live in the database so that several instances share them.
import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Db } from '../db.ts';
import { cookiePath } from './base-path.ts';

export function sessionMiddleware(db: Db, opts: { secret: string; basePath: string }) {
  const store = new ConnectSessionKnexStore({ knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
  const middleware = session({
    name: 'mc_sid',
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    // 'auto' follows req.secure, which honours X-Forwarded-Proto from a trusted proxy.
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: cookiePath(opts.basePath), maxAge: 7 * 24 * 3600 * 1000 },
  });
  return { middleware, store };
}

/** Expired sessions are removed now and then; knex's pool is closed separately. */
export async function pruneSessions(db: Db): Promise<number> {
  const now = db.client.dialect === 'mysql' ? new Date().toISOString().slice(0, 19).replace('T', ' ') : new Date().toISOString();
  return db('sessions').where('expired', '<', now).delete();
}
