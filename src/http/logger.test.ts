// The access log's record, field by field, as pino-http wrote it before it was replaced by httpLogger's few lines
// (issue 18): same keys in the same order, same levels and messages, for answered, failed, aborted and errored
// responses; req.log is bound to the request.
import http from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, httpLogger } from './logger.ts';

const raw: string[] = [];
const lines = () => raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
const lineOf = (id: string, msg?: RegExp) => lines().find((l) => l.req?.id === id && (!msg || msg.test(l.msg)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: http.Server;
let port = 0;
beforeAll(async () => {
  const app = express();
  app.use(httpLogger(createLogger('trace', { write(s: string) { raw.push(s); } })));
  app.get('/ok', (_req, res) => { res.send('ok'); });
  app.get('/teapot', (_req, res) => { res.status(418).send('no'); });
  app.get('/fail', (_req, res) => { res.status(503).json({}); });
  app.get('/hang', () => {});
  app.get('/boom', (_req, res) => { res.emit('error', new Error('socket boom')); res.end(); });
  app.get('/own', (req, res) => { req.log.warn({ token: 't-5ecret', n: 1 }, 'mine'); res.send('ok'); });
  server = app.listen(0);
  port = (server.address() as { port: number }).port;
});
afterAll(() => { server.close(); });

const get = (path: string, id: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-request-id': id } });

describe('httpLogger', () => {
  it('writes pino-http\'s record: req {id, method, url, remoteAddress}, res {statusCode}, responseTime, msg', async () => {
    const res = await get('/ok?token=abc', 'ok-1');
    expect(res.headers.get('x-request-id')).toBe('ok-1');
    const line = lineOf('ok-1')!;
    expect(Object.keys(line)).toEqual(['level', 'time', 'pid', 'hostname', 'req', 'res', 'responseTime', 'msg']);
    expect(Object.keys(line.req)).toEqual(['id', 'method', 'url', 'remoteAddress']);
    expect(line).toMatchObject({ level: 30, req: { id: 'ok-1', method: 'GET', url: '/ok?token=[redacted]' }, res: { statusCode: 200 }, msg: 'request completed' });
    expect(typeof line.responseTime).toBe('number');
    expect(line.req.remoteAddress).toMatch(/127\.0\.0\.1/);
  });

  it('4xx is a warning, 5xx an error with pino-http\'s err', async () => {
    await get('/teapot', 'warn-1');
    expect(lineOf('warn-1')).toMatchObject({ level: 40, res: { statusCode: 418 }, msg: 'request completed' });
    await get('/fail', 'fail-1');
    const failed = lineOf('fail-1')!;
    expect(Object.keys(failed)).toEqual(['level', 'time', 'pid', 'hostname', 'req', 'res', 'err', 'responseTime', 'msg']);
    expect(failed).toMatchObject({ level: 50, res: { statusCode: 503 }, err: { type: 'Error', message: 'failed with status code 503' }, msg: 'request errored' });
  });

  it('a response that fails is logged with its error, once', async () => {
    await get('/boom', 'boom-1').catch(() => undefined);
    await sleep(50);
    expect(lines().filter((l) => l.req?.id === 'boom-1')).toHaveLength(1);
    expect(lineOf('boom-1')).toMatchObject({ level: 50, err: { message: 'socket boom' }, msg: 'request errored' });
  });

  it('a request the client gave up on is "request aborted", with no status and its address', async () => {
    const req = http.get({ port, path: '/hang', headers: { 'x-request-id': 'hang-1' } });
    req.on('error', () => {});
    await sleep(50);
    req.destroy();
    await sleep(100);
    expect(lineOf('hang-1')).toMatchObject({ level: 30, res: { statusCode: null }, msg: 'request aborted' });
    expect(lineOf('hang-1')!.req.remoteAddress).toMatch(/127\.0\.0\.1/);
  });

  it('req.log binds the request, and the logger still redacts what a route logs', async () => {
    await get('/own', 'own-1');
    const mine = lineOf('own-1', /^mine$/)!;
    expect(mine).toMatchObject({ level: 40, req: { id: 'own-1', method: 'GET', url: '/own' }, token: '[redacted]', n: 1 });
    expect(lineOf('own-1', /request completed/)).toBeDefined();
  });

  it('an unsafe incoming id is replaced by a UUID', async () => {
    const res = await get('/ok', 'has"quote');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
