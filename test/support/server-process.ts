// Runs the real server (npm start's command: the compiled dist/src/server.js) as a child process on a free port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// npm start's own command line (package.json is the one place it is written), e.g. "node --flag dist/src/server.js".
const START = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
const SERVER = path.join(ROOT, START.at(-1)!);

/** npm run build (tsc -b: a second or so when nothing changed). The unit tests' global setup runs it once. */
export function buildServer(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
}

function serverArgs(): string[] {
  if (START[0] !== 'node') throw new Error(`npm start is not "node …": ${START.join(' ')}`);
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build first`);
  return [...START.slice(1, -1), SERVER];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export type Running = { child: ChildProcess; port: number; output: () => string; stop(): Promise<number | null> };

/** Starts `node dist/src/server.js` (npm start, after its build) with env; resolves when it listens (or rejects with its output). */
export async function startServer(env: Record<string, string>, opts: { cwd?: string; timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<Running> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let out = '';
  // nodeArgs: flags NODE_OPTIONS refuses (bench/profile.ts's --cpu-prof), before npm start's own.
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...serverArgs()], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => { if (child.exitCode === null) child.kill('SIGTERM'); return exited; };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), opts.timeoutMs ?? 60_000);
    const check = () => { if (out.includes('listening on')) { clearTimeout(timer); resolve(); } };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${out}`)); });
  });
  return { child, port, output: () => out, stop };
}

/** Runs the server command to completion (for start-up failures). */
export function runServerToExit(env: Record<string, string>, cwd = ROOT): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, serverArgs(), { cwd, env: { PATH: process.env.PATH, ...env } });
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => { clearTimeout(kill); resolve({ code, output }); });
  });
}
