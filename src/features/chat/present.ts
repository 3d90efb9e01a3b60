// Turns messages into the plain objects the templates show. Rendering markdown happens here, once per message.
import type { UrlFor } from '../../http/base-path.ts';
import type { Generations, Snapshot } from './generation.ts';
import { liveParts } from './live-view.ts';
import { renderMarkdown } from './markdown.ts';
import type { Siblings } from './branches.repo.ts';
import { isFinal, type Message, type MessageStatus, type Usage } from './messages.repo.ts';
import { isKeyProblem, storedErrorText } from './upstream-errors.ts';
import type { Text, Translatable } from '../../i18n/text.ts';
import { sizeText } from '../../i18n/size.ts';
import type { Attachment } from '../files/files.repo.ts';
import { presentSources, presentSteps, type SourceView, type StepView } from './tool-steps.ts';
import { sheetPlaces, SHEET_CELL_HEIGHT, SHEET_CELL_WIDTH } from '../files/contact-sheet.ts';

export type MessageView = {
  id: number; parentId: number | null; role: string; status: MessageStatus; live: boolean; content: string; html: string; tailHtml: string;
  thinking: string;
  /** Stored in English; a Text when it is one of ours, so the page shows it in its reader's language (tx). */
  error: Translatable | null; errorIsKey: boolean; usage: Usage | null; model: string | null; createdAt: string;
  eventsUrl: string; stopUrl: string; retryUrl: string; retryable: boolean;
  /** The message's markdown source as plain text (what the answer's Copy button copies). */
  sourceUrl: string;
  /** Without JavaScript: the thread page that streams this (live) answer in (follow.ts). */
  followUrl: string;
  /** Set on the answer that page streams: its blocks come after the page's start, its footer at the end. */
  follow?: boolean;
  /** Its versions (edits of a question, regenerations of an answer): the ‹ n/m › navigator, when there are several. */
  versions: { index: number; count: number; prevId: number | null; nextId: number | null } | null;
  branchUrl: string; editUrl: string; regenerateUrl: string;
  /** "New chat from here" (src/features/sharing): GET a page that asks, POST makes the new thread. */
  forkUrl: string;
  /** A finished answer can be written again (a new version beside it); a failed one is retried in place instead. */
  regenerable: boolean;
  /** A question's files: thumbnails that open the original, documents with their pages and OCR text, text files. */
  attachments: AttachmentView[];
  /** An answer's tool uses (the Steps box) and numbered sources (under the answer); issue 14. */
  steps: StepView[]; sources: SourceView[];
};

export type AttachmentView = {
  id: number; name: string; kind: Attachment['kind']; mime: string; size: number; sizeText: Text; pages: number | null;
  url: string; thumbnailUrl: string | null; textUrl: string | null; tw: number | null; th: number | null;
  /** Two images or more: shown from a contact sheet (one request for up to eight), through the window of its cell `cell`. */
  sheet: { url: string; cell: number; width: number; height: number } | null;
};


/** `base`: where the files are served: /files for their owner, a share's own path for its readers. */
export function presentAttachments(list: Attachment[], url: UrlFor, base = '/files'): AttachmentView[] {
  const places = sheetPlaces(list.filter((a) => a.kind === 'image').map((a) => a.id));
  const sheetOf = (id: number) => {
    const p = places.get(id);
    return p ? { url: url(`${base}/sheet/${p.sheetIds.join('.')}`), cell: p.cell, width: p.sheetIds.length * SHEET_CELL_WIDTH, height: SHEET_CELL_HEIGHT } : null;
  };
  return list.map((a) => ({
    id: a.id, name: a.name, kind: a.kind, mime: a.mime, size: a.size, sizeText: sizeText(a.size), pages: a.pages ?? null,
    url: url(`${base}/${a.id}`), thumbnailUrl: a.kind === 'image' ? url(`${base}/${a.id}/thumbnail`) : null,
    textUrl: a.kind === 'document' ? url(`${base}/${a.id}/text`) : null, tw: a.tw ?? null, th: a.th ?? null, sheet: sheetOf(a.id),
  }));
}

/** A page of a path, each message with its versions (read with the page: pagePath). */
export function presentPath(messages: Message[], url: UrlFor, generations: Generations | undefined, siblings: Map<number, Siblings>): MessageView[] {
  return messages.map((m) => presentMessage(m, url, generations, siblings.get(m.id)));
}

export function withSnapshot(m: Message, s: Snapshot): Message {
  return { ...m, content: s.text, thinking: s.thinking || null, status: s.status, error: s.error, usage: s.usage, steps: s.steps, sources: s.sources, attachments: s.images.length ? s.images : m.attachments };
}

export function presentMessage(m: Message, url: UrlFor, generations?: Generations, siblings?: Siblings): MessageView {
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
    id: m.id, parentId: m.parentId, role: m.role, status, live, content, html, tailHtml, thinking, error: storedErrorText(error), errorIsKey: isKeyProblem(error),
    usage: snap?.usage ?? m.usage, model: m.model, createdAt: m.createdAt.toISOString(),
    eventsUrl: url(`${base}/events?after=${thinking.length}.${content.length}`), stopUrl: url(`${base}/stop`), retryUrl: url(`${base}/retry`),
    sourceUrl: url(`${base}/source`),
    followUrl: url(`/threads/${m.threadId}?follow=${m.id}#m-${m.id}`),
    retryable: m.role === 'assistant' && ['stopped', 'error', 'interrupted'].includes(status),
    versions: siblings && siblings.count > 1 ? {
      index: siblings.index, count: siblings.count,
      prevId: siblings.ids[siblings.index - 2] ?? null, nextId: siblings.ids[siblings.index] ?? null,
    } : null,
    branchUrl: url(`/threads/${m.threadId}/branch`), editUrl: url(`${base}/edit`), regenerateUrl: url(`${base}/regenerate`), forkUrl: url(`${base}/fork`),
    regenerable: m.role === 'assistant' && !live && m.parentId !== null,
    attachments: m.attachments.length ? presentAttachments(m.attachments, url) : [],
    steps: presentSteps(snap?.steps ?? m.steps), sources: presentSources(snap?.sources ?? m.sources),
  };
}
