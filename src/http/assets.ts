// Static files under fingerprinted URLs (/static/name-<hash>.ext), cached for a year as immutable:
// a repeat visit fetches only the HTML, and a changed file gets a new URL.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import path from 'node:path';
import { Router } from 'express';
import { transformSync } from 'esbuild';
import { PROJECT_ROOT } from '../lib/paths.ts';
import type { UrlFor } from './base-path.ts';

const root = PROJECT_ROOT;
const vendor: Record<string, string> = {
  'vendor/htmx.js': 'node_modules/htmx.org/dist/htmx.min.js',
  'vendor/htmx-sse.js': 'node_modules/htmx-ext-sse/dist/sse.min.js',
};

export type AssetUrl = (name: string) => string;
type Entry = { file: string; url: string };
/** A file's bytes, compressed once at start-up at the strongest settings instead of on every request. */
type Body = { type: string; raw: Buffer; br: Buffer; gzip: Buffer };

const COMPRESSIBLE = /\.(js|css|svg|json|txt|map)$/;
// Scripts and style sheets carry no charset: a browser reads them in the page's own (UTF-8), and the bytes count
// against every first visit's JavaScript budget. For the same reason Cache-Control has no "public" (the default for
// a response to a request without Authorization).
const TYPES: Record<string, string> = {
  '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

/** Our own scripts go out minified, once at start-up, by esbuild (already installed: tsx runs on it): the comments
 * and long names say why in the source, and dropping them keeps all JavaScript within its 20 KB budget without a
 * build step for the browser. Should esbuild fail, whole-line comments and indentation are dropped instead (our
 * scripts are ES5 with no multi-line strings, so a line that starts with // is always a comment). */
export function servedScript(source: string): string {
  try {
    return transformSync(source, { minify: true, target: 'es2015' }).code;
  } catch {
    return source.split('\n').filter((line) => !/^\s*\/\//.test(line)).map((line) => line.trim()).filter(Boolean).join('\n') + '\n';
  }
}

function read(name: string, file: string): Buffer {
  const raw = readFileSync(file);
  return name.startsWith('js/') && name.endsWith('.js') ? Buffer.from(servedScript(raw.toString('utf8'))) : raw;
}

function prepare(file: string, raw: Buffer): Body {
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  if (!COMPRESSIBLE.test(file)) return { type, raw, br: raw, gzip: raw };
  return {
    type, raw,
    br: brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
    gzip: gzipSync(raw, { level: 9 }),
  };
}

function listPublic(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, listPublic(full, `${prefix}${name}/`));
    else out[prefix + name] = full;
  }
  return out;
}

export function createAssets(url: UrlFor, extra: Record<string, string> = {}) {
  const sources: Record<string, string> = { ...listPublic(path.join(root, 'public')) };
  for (const [name, rel] of Object.entries({ ...vendor, ...extra })) sources[name] = path.join(root, rel);
  const byName = new Map<string, Entry>();
  const byUrl = new Map<string, Body>();
  for (const [name, file] of Object.entries(sources)) {
    const raw = read(name, file);
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 10);
    const ext = path.extname(name);
    const fingerprinted = `${name.slice(0, -ext.length)}-${hash}${ext}`;
    byName.set(name, { file, url: url(`/static/${fingerprinted}`) });
    byUrl.set(fingerprinted, prepare(file, raw));
  }
  const assetUrl: AssetUrl = (name) => {
    const entry = byName.get(name);
    if (!entry) throw new Error(`unknown asset ${name}`);
    return entry.url;
  };
  const router = Router();
  router.get('/static/*file', (req, res, next) => {
    const rel = ([] as string[]).concat((req.params as { file: string | string[] }).file).join('/');
    const body = byUrl.get(rel);
    if (!body) return next();
    const accepts = String(req.headers['accept-encoding'] ?? '');
    const [encoding, bytes] = body.br !== body.raw && /\bbr\b/.test(accepts) ? ['br', body.br]
      : body.gzip !== body.raw && /\bgzip\b/.test(accepts) ? ['gzip', body.gzip] : [null, body.raw];
    // setHeader, not res.set: Express would add the charset back to a text type.
    res.setHeader('Content-Type', body.type);
    res.setHeader('Cache-Control', 'max-age=31536000, immutable');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Content-Length', String(bytes.length));
    if (encoding) res.setHeader('Content-Encoding', encoding);
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  return { assetUrl, router };
}
