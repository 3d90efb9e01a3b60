import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';

export type { Logger };

declare module 'node:http' {
  interface IncomingMessage {
    /** This request's id (X-Request-Id), set by httpLogger. */
    id: string;
    /** A logger bound to this request ({ req: { id, method, url, remoteAddress } }), made on first use. */
    log: Logger;
  }
}

// Secrets never reach the logs: cookies, tokens, passwords, CSRF tokens and API keys, whether logged at the top of
// an object or nested up to two levels (e.g. { body: { password } } or { req: { body: { password } } }).
const SECRET_KEYS = ['password', 'current', 'apiKey', 'api_key', 'token', 'id_token', 'access_token', 'refresh_token', 'secret', '_csrf'];
const REDACT = [
  'req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]',
  'headers.cookie', 'headers.authorization',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

/** A share code in a URL is a credential too: in /s/<code>, /api/shares/<code> and a sign-in's ?next=%2Fs%2F<code>. Linear:
 *  each pattern is a fixed prefix and one run of a negated class, which stops at the next separator. */
const scrubUrl = (u: string | undefined) => (u ?? '').replace(/\/(s|api\/shares)\/[^/?#]+/, '/$1/[redacted]').replace(/%2Fs%2F[^&#]*/gi, '%2Fs%2F[redacted]').replace(/([?&](code|state|token)=)[^&]*/g, '$1[redacted]');

const SAFE_ID = /^[\w-]{1,64}$/;
const CHILD = Symbol('request logger');
const BASE = Symbol('app logger');
const ADDRESS = Symbol('remote address');
type Req = IncomingMessage & { originalUrl?: string; [CHILD]?: Logger; [BASE]?: Logger; [ADDRESS]?: string };

/** What a request's log lines say about it (the fields pino-http's serializer kept, as before). The address is read
 *  when the request arrives: an aborted request's socket no longer has one when its line is written. */
const reqFields = (req: Req) => ({ id: req.id, method: req.method, url: scrubUrl(req.originalUrl ?? req.url), remoteAddress: req[ADDRESS] });

/** req.log, made only when a route logs something of its own (most requests never do). */
const requestLog = {
  configurable: true,
  enumerable: true,
  get(this: Req): Logger { return (this[CHILD] ??= this[BASE]!.child({ req: reqFields(this) })); },
  set(this: Req, value: Logger) { this[CHILD] = value; },
};

/**
 * One line per request when its response is done, in the format pino-http wrote (level by status: info, 4xx warn,
 * 5xx or a failed response error; "request completed", "request aborted" or "request errored"), without a child
 * logger and its serializers per request: only the fields below are logged, so there is nothing to redact in them.
 */
export function httpLogger(logger: Logger) {
  // The access line's fields are the ones above (the URL scrubbed): no key of them is a redacted one, and redaction
  // walked every object of every line (a copy each), so this line is written by a child without it. Routes' own
  // lines (req.log) and everything else keep the redaction.
  const access = logger.child({}, { redact: [] });
  return (req: Req, res: ServerResponse, next: () => void): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    req[BASE] = logger;
    req[ADDRESS] = req.socket.remoteAddress;
    Object.defineProperty(req, 'log', requestLog);
    const start = Date.now();
    const done = (err?: Error) => {
      res.removeListener('close', done);
      res.removeListener('finish', done);
      res.removeListener('error', done);
      const failed = Boolean(err) || res.statusCode >= 500;
      const level = failed ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!access.isLevelEnabled(level)) return;
      const record: Record<string, unknown> = { req: reqFields(req), res: { statusCode: res.headersSent ? res.statusCode : null } };
      if (failed) record.err = err ?? new Error(`failed with status code ${res.statusCode}`);
      record.responseTime = Date.now() - start;
      const msg = failed ? 'request errored' : !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted';
      access[level](record, msg);
    };
    res.on('close', done);
    res.on('finish', done);
    res.on('error', done);
    next();
  };
}
