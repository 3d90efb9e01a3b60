import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

export type { Logger };

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

export function httpLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id, method: req.method, url: scrubUrl(req.url), remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  });
}
