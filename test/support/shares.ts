// Helpers of the sharing tests: threads answered through the API, and shares made and read as a stranger would.
import request from 'supertest';
import type { ChatTestApp, Session } from './fake-mistral-app.ts';

export type Json = Record<string, any>;
export const bearer = (s: Session) => ({ Authorization: `Bearer ${s.token}` });

/** A thread of the user's with `n` answered exchanges ("q1"/"a1", …), idle. */
export async function answeredThread(t: ChatTestApp, s: Session, n: number, title?: string): Promise<string> {
  const id = (await request(t.app).post('/api/thread').set(bearer(s)).send(title ? { title } : {})).body.thread.id as string;
  for (let i = 1; i <= n; i++) {
    t.fake.enqueue({ tokens: [`a${i}`] });
    const res = await request(t.app).post(`/api/thread/${id}/messages`).set(bearer(s)).send({ content: `q${i}` });
    if (res.status !== 202) throw new Error(`send: ${res.status} ${res.text}`);
    await t.gens.idle();
  }
  return id;
}

/** Shares the thread through the API; returns the share JSON and its code (the end of its URL). */
export async function shareOf(t: ChatTestApp, s: Session, threadId: string, body: Json = {}): Promise<{ share: Json; code: string; path: string }> {
  const res = await request(t.app).post(`/api/thread/${threadId}/shares`).set(bearer(s)).send(body);
  if (res.status !== 201) throw new Error(`share: ${res.status} ${res.text}`);
  const path = new URL(res.body.share.url).pathname;
  return { share: res.body.share, code: path.split('/').pop()!, path };
}

/** Every header but the ones that differ between any two responses (date, timing). */
export const stableHeaders = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => !['date', 'x-response-time', 'x-request-id'].includes(k)));
