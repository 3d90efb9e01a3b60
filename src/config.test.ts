import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const secrets = { SESSION_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: 'ab'.repeat(32) };
const load = (env: Record<string, string>) => loadConfig({ ...secrets, ...env });

describe('loadConfig', () => {
  it('has sensible defaults: port 3000, SQLite file, no base path', () => {
    const c = load({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBe('sqlite:data/mistralchat.sqlite3');
    expect(c.basePath).toBe('');
    expect(c.trustProxy).toBe(false);
    expect(c.mistral.serverUrl).toBe('https://api.mistral.ai');
    expect(c.maxMessageChars).toBe(100_000);
    expect(c.encryptionKey).toHaveLength(32);
  });

  it('names the variable and the problem for a bad value', () => {
    expect(() => load({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => load({ PORT: 'abc' })).toThrow(/PORT="abc": must be a whole number/);
    expect(() => load({ PORT: '70000' })).toThrow(/PORT.*at most 65535/);
    expect(() => load({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL/);
    expect(() => load({ BASE_PATH: 'chat' })).toThrow(/BASE_PATH/);
    expect(() => load({ ENCRYPTION_KEY: 'short' })).toThrow(/ENCRYPTION_KEY.*32 bytes/);
    expect(() => load({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => load({ ALLOW_GUESTS: 'maybe' })).toThrow(/ALLOW_GUESTS/);
  });

  it('normalises the base path, trust proxy and lists', () => {
    const c = load({ BASE_PATH: '/chat/', TRUST_PROXY: 'loopback', REGISTRATION_DOMAINS: 'Corp.example, b.example', PORT: '' });
    expect(c.basePath).toBe('/chat');
    expect(c.trustProxy).toBe('loopback');
    expect(c.registration.domains).toEqual(['corp.example', 'b.example']);
    expect(c.port).toBe(3000);
    expect(load({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(load({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('with TRUSTED_AUTH_HEADER, accepts only proxy addresses in TRUST_PROXY: a hop count or true stops start-up', () => {
    const header = { TRUSTED_AUTH_HEADER: 'Remote-Email' };
    for (const bad of ['1', '2', '0', 'true', 'nonsense', 'loopback, 10.0.0.0/33', '10.0.0.0/0', '::/0', '10.0.0.0/0.0.0.0', '10.0.0.1/8/8']) {
      let message = '';
      try { load({ ...header, TRUST_PROXY: bad }); } catch (err) { expect(err).toBeInstanceOf(ConfigError); message = (err as Error).message; }
      expect(message, bad).toMatch(/^Invalid configuration: TRUST_PROXY=".*": must list proxy addresses/);
      expect(message).not.toContain('\n');
    }
    expect(() => load({ ...header, TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY="1": .*not a hop count or true/);
    for (const good of ['loopback', 'linklocal, uniquelocal', '10.0.0.0/8, 192.168.1.5', '::1, fd00::/8', '10.0.0.0/255.0.0.0']) {
      expect(load({ ...header, TRUST_PROXY: good }).trustProxy, good).toBe(good);
    }
    // Without the header, hop counts stay allowed; with the header and no TRUST_PROXY, nobody is trusted.
    expect(load({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(load(header).trustProxy).toBe(false);
  });

  it('requires secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET, ENCRYPTION_KEY must be set/);
  });

  it('generates development secrets once and keeps them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-cfg-'));
    const logs: string[] = [];
    const a = loadConfig({}, { secretsDir: dir, log: (m) => logs.push(m) });
    const b = loadConfig({}, { secretsDir: dir, log: (m) => logs.push(m) });
    expect(a.sessionSecret).toBe(b.sessionSecret);
    expect(a.encryptionKey.equals(b.encryptionKey)).toBe(true);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/Generated SESSION_SECRET and ENCRYPTION_KEY/);
    expect(JSON.parse(readFileSync(path.join(dir, 'data/secrets.json'), 'utf8')).sessionSecret).toBe(a.sessionSecret);
  });
});
