// Performance (issue 18): a response sent whole (res.send, res.json, a rendered page) is compressed in one call.
//
// The compression middleware pipes every body through a zlib stream: a Transform, work handed to the thread pool chunk
// by chunk, a 'data' event and a socket write per 16 KB. For a 60 KB thread page that machinery cost more CPU than
// gzip itself (about 1 ms against 0.3 ms). This runs in front of it: when the first thing a response does is end()
// with its whole body, and compression would have compressed it, the same encoder with the same settings compresses
// it here in one call, and compression, seeing Content-Encoding set, passes it through. Streams (event streams,
// res.write) and large bodies (which would hold the event loop) are left to compression exactly as before.
import zlib from 'node:zlib';
import compression from 'compression';
import Negotiator from 'negotiator';
import type { NextFunction, Request, Response } from 'express';

// compression 1.8's own choices: its threshold, the encodings it offers and prefers, brotli at quality 4, gzip and
// deflate at zlib's defaults.
const THRESHOLD = 1024;
const SUPPORTED = ['br', 'gzip', 'deflate', 'identity'];
const PREFERRED = ['br', 'gzip'];
const BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };
// Above this a body goes through compression's stream, off the event loop (~5 ms of gzip per MB).
const WHOLE_MAX_BYTES = 256 * 1024;

type Filter = (req: Request, res: Response) => boolean;
type End = Response['end'];

const NO_TRANSFORM = /(?:^|,)\s*?no-transform\s*?(?:,|$)/;

function encode(method: string, body: Buffer): Buffer {
  if (method === 'br') return zlib.brotliCompressSync(body, BROTLI);
  return method === 'gzip' ? zlib.gzipSync(body) : zlib.deflateSync(body);
}

/** The encoding compression would choose for this finished response, or null where it would send it as it is. */
function encodingFor(req: Request, res: Response, length: number, filter: Filter): string | null {
  if (length < THRESHOLD || length > WHOLE_MAX_BYTES || req.method === 'HEAD') return null;
  if (!filter(req, res) || NO_TRANSFORM.test(String(res.getHeader('Cache-Control') ?? ''))) return null;
  if ((res.getHeader('Content-Encoding') ?? 'identity') !== 'identity') return null;
  if (!req.headers['accept-encoding']) return null;
  const method = new Negotiator(req).encoding(SUPPORTED, PREFERRED);
  return method && method !== 'identity' ? method : null;
}

/** Mounted just before compression(), with the same filter. */
export function compressWholeBodies(filter: Filter = compression.filter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = res.end;
    const write = res.write;
    // A response that writes before it ends is a stream: compression's own from here on.
    res.write = function (this: Response, ...args: Parameters<Response['write']>) {
      res.write = write;
      res.end = end;
      return write.apply(this, args);
    } as Response['write'];
    res.end = function (this: Response, chunk?: unknown, encoding?: unknown, cb?: unknown) {
      res.write = write;
      res.end = end;
      if (!res.headersSent && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
        const body = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8') : chunk;
        const method = encodingFor(req, res, body.length, filter);
        if (method) {
          res.vary('Accept-Encoding');
          const compressed = encode(method, body);
          res.setHeader('Content-Encoding', method);
          res.setHeader('Content-Length', compressed.length);
          return (end as (c: unknown, cb?: unknown) => Response).call(this, compressed, typeof encoding === 'function' ? encoding : cb);
        }
      }
      return (end as (...a: unknown[]) => Response).call(this, chunk, encoding, cb);
    } as End;
    next();
  };
}
