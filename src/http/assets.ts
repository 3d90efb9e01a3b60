// Static files under fingerprinted URLs (/static/name-<hash>.ext), cached for a year as immutable:
// a repeat visit fetches only the HTML, and a changed file gets a new URL.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { UrlFor } from './base-path.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vendor: Record<string, string> = {
  'vendor/htmx.js': 'node_modules/htmx.org/dist/htmx.min.js',
  'vendor/htmx-sse.js': 'node_modules/htmx-ext-sse/dist/sse.min.js',
};

export type AssetUrl = (name: string) => string;
type Entry = { file: string; url: string };

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
  const byUrl = new Map<string, string>();
  for (const [name, file] of Object.entries(sources)) {
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 10);
    const ext = path.extname(name);
    const fingerprinted = `${name.slice(0, -ext.length)}-${hash}${ext}`;
    byName.set(name, { file, url: url(`/static/${fingerprinted}`) });
    byUrl.set(fingerprinted, file);
  }
  const assetUrl: AssetUrl = (name) => {
    const entry = byName.get(name);
    if (!entry) throw new Error(`unknown asset ${name}`);
    return entry.url;
  };
  const router = Router();
  router.get('/static/*file', (req, res, next) => {
    const rel = ([] as string[]).concat((req.params as { file: string | string[] }).file).join('/');
    const file = byUrl.get(rel);
    if (!file) return next();
    res.sendFile(file, { maxAge: '365d', immutable: true, dotfiles: 'deny', headers: { 'X-Content-Type-Options': 'nosniff' } });
  });
  return { assetUrl, router };
}
