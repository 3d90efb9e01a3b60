// Where things are, whether this code runs from its TypeScript sources (tsx, vitest) or compiled into dist/
// (npm start): compiled code lives in dist/, while views, static files and node_modules stay in the project.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding src/, migrations/ and seeds/ as this process loads them: the project itself, or dist/. */
export const CODE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The project (package.json, views/, public/, node_modules/), also when the code runs from dist/. */
export const PROJECT_ROOT = existsSync(path.join(CODE_ROOT, 'package.json')) ? CODE_ROOT : path.dirname(CODE_ROOT);
