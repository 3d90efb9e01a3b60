// Turns messages into the plain objects the templates show. Rendering markdown happens here, once per message.
import type { UrlFor } from '../../http/base-path.ts';
import type { Generations, Snapshot } from './generation.ts';
import { liveParts } from './live-view.ts';
import { renderMarkdown } from './markdown.ts';
import { isFinal, type Message, type MessageStatus, type Usage } from './messages.repo.ts';
import { isKeyProblem } from './upstream-errors.ts';
import { whenOf, type When } from './when.ts';

export type MessageView = {
  id: number; role: string; status: MessageStatus; live: boolean; content: string; html: string; tailHtml: string;
  thinking: string; error: string | null; errorIsKey: boolean; usage: Usage | null; model: string | null; createdAt: string;
  /** When it was written, for the page (relative and exact, in UTC). */
  when: When;
  eventsUrl: string; stopUrl: string; retryUrl: string; retryable: boolean;
  /** The message's markdown source as plain text (what the answer's Copy button copies). */
  sourceUrl: string;
  /** Without JavaScript: the thread page that streams this (live) answer in (follow.ts). */
  followUrl: string;
  /** Set on the answer that page streams: its blocks come after the page's start, its footer at the end. */
  follow?: boolean;
};

export function withSnapshot(m: Message, s: Snapshot): Message {
  return { ...m, content: s.text, thinking: s.thinking || null, status: s.status, error: s.error, usage: s.usage };
}

export function presentMessage(m: Message, url: UrlFor, generations?: Generations): MessageView {
  // A running job is ahead of the database: show what it has, so the stream resumes from there.
  const snap = generations?.get(m.id)?.snapshot();
  const status = snap?.status ?? m.status;
  const content = snap?.text ?? m.content;
  const thinking = snap?.thinking ?? m.thinking ?? '';
  const live = !isFinal(status);
  const base = `/threads/${m.threadId}/messages/${m.id}`;
  let html = '';
  let tailHtml = '';
  if (m.role === 'assistant') {
    if (live) ({ blocksHtml: html, tailHtml } = liveParts(content));
    else html = renderMarkdown(content);
  }
  const error = snap ? snap.error : m.error;
  return {
    id: m.id, role: m.role, status, live, content, html, tailHtml, thinking, error, errorIsKey: isKeyProblem(error),
    usage: snap?.usage ?? m.usage, model: m.model, createdAt: m.createdAt.toISOString(), when: whenOf(m.createdAt),
    eventsUrl: url(`${base}/events?after=${thinking.length}.${content.length}`), stopUrl: url(`${base}/stop`), retryUrl: url(`${base}/retry`),
    sourceUrl: url(`${base}/source`),
    followUrl: url(`/threads/${m.threadId}?follow=${m.id}#m-${m.id}`),
    retryable: m.role === 'assistant' && ['stopped', 'error', 'interrupted'].includes(status),
  };
}
