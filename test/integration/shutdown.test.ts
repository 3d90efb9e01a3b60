// Graceful shutdown of the real server process (npm start's command): on SIGTERM or SIGINT it stops accepting
// connections at once, lets a request already in flight finish, and ends even if a connection hangs (the grace bound).
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_SECRETS } from '../support/app.ts';
import { DIALECTS, freshDatabase } from '../support/dialects.ts';
import { startServer, type Running } from '../support/server-process.ts';
import type { Dialect } from '../../src/db.ts';

const BODY = 'email=held%40example.com&password=held-password';

/** A sign-in POST whose body is only half sent: the request stays in flight until `finish()`. */
async function heldRequest(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let received = '';
  socket.on('data', (d) => { received += d; });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  // Expect: 100-continue makes the server say when it has the request in hand, so the signal comes after that.
  socket.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`);
  const until = Date.now() + 20_000;
  while (!received.startsWith('HTTP/1.1 100 Continue')) {
    if (Date.now() > until) throw new Error(`the server did not take the request: ${received}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    finish: () => socket.write(BODY.slice(10)),
    received: () => received,
    closed,
  };
}

const exited = (s: Running) => new Promise<number | null>((resolve) => {
  if (s.child.exitCode !== null) resolve(s.child.exitCode);
  else s.child.once('exit', (code) => resolve(code));
});

/** Resolves once a new connection to the port is refused. */
async function refused(port: number, withinMs = 5000): Promise<string> {
  const until = Date.now() + withinMs;
  for (;;) {
    const err = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => null, (e: { cause?: { code?: string } }) => e.cause?.code ?? String(e));
    // A connection accepted just before the listener closed may be reset rather than refused: try again.
    if (err === 'ECONNREFUSED') return err;
    if (Date.now() > until) throw new Error(`new connections were still accepted (last: ${err ?? 'answered'})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function serverOn(dialect: Dialect) {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'mc-shutdown-'));
  const db = dialect === 'sqlite' ? null : await freshDatabase('mysql');
  const env = { ...TEST_SECRETS, DATABASE_URL: db?.url ?? `sqlite:${path.join(cwd, 'db.sqlite3')}` };
  const server = await startServer(env, { cwd, timeoutMs: 40_000 });
  return { server, async done() { await server.stop(); await db?.drop(); } };
}

describe.each(DIALECTS)('graceful shutdown on %s', (dialect) => {
  it('SIGTERM: new connections are refused, the request in flight gets its whole answer, then the process exits 0', async () => {
    const { server, done } = await serverOn(dialect);
    try {
      const held = await heldRequest(server.port);
      server.child.kill('SIGTERM');
      expect(await refused(server.port)).toBe('ECONNREFUSED');
      // Still running: it waits for the request it is in the middle of.
      await new Promise((r) => setTimeout(r, 500));
      expect(server.child.exitCode).toBeNull();
      held.finish();
      await held.closed;
      expect(held.received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 403 /);
      expect(held.received()).toContain('This form has expired');
      expect(await exited(server)).toBe(0);
      expect(server.output()).toMatch(/"signal":"SIGTERM".*shutting down/);
      expect(server.output()).toContain('"msg":"stopped"');
      expect(server.output()).not.toContain('still open after the grace period');
    } finally {
      await done();
    }
  }, 90_000);
});

describe('graceful shutdown, other signals and bounds', () => {
  it('SIGINT does the same as SIGTERM', async () => {
    const { server, done } = await serverOn('sqlite');
    try {
      const held = await heldRequest(server.port);
      server.child.kill('SIGINT');
      expect(await refused(server.port)).toBe('ECONNREFUSED');
      expect(server.child.exitCode).toBeNull();
      held.finish();
      await held.closed;
      expect(held.received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 403 /);
      expect(await exited(server)).toBe(0);
      expect(server.output()).toMatch(/"signal":"SIGINT".*shutting down/);
    } finally {
      await done();
    }
  }, 90_000);

  it('a connection that never finishes is closed after the grace period (10 s), and the process still exits 0', async () => {
    const { server, done } = await serverOn('sqlite');
    try {
      const held = await heldRequest(server.port);
      const sent = Date.now();
      server.child.kill('SIGTERM');
      expect(await refused(server.port)).toBe('ECONNREFUSED');
      await new Promise((r) => setTimeout(r, 3000));
      expect(server.child.exitCode).toBeNull();
      expect(await exited(server)).toBe(0);
      const took = Date.now() - sent;
      expect(took).toBeGreaterThanOrEqual(9_500);
      expect(took).toBeLessThan(30_000);
      await held.closed;
      expect(held.received()).not.toContain('403');
      expect(server.output()).toContain('requests still open after the grace period; closing them');
    } finally {
      await done();
    }
  }, 90_000);
});
