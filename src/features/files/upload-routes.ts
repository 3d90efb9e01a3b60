// The routes that take files, and the file fields each reads (src/http/multipart.ts streams them to temporary files).
import type { Config } from '../../config.ts';
import type { UploadRoute } from '../../http/multipart.ts';

export function uploadRoutes(config: Config): UploadRoute[] {
  const f = config.files;
  // Attachments: a message's files. A refusal keeps the rest, so one more than the limit is read to say so.
  const attachments = { files: { maxBytes: f.maxFileBytes, maxFiles: f.maxPerMessage } };
  // Dictation without JavaScript: the composer's audio file, sent to the transcribe routes (never kept).
  const audio = { audio: { maxBytes: f.maxAudioBytes, maxFiles: 1 } };
  return [
    { path: /^\/threads(\/[^/]+\/messages)?$/, fields: { ...attachments, ...audio } },
    { path: /^\/api\/thread(\/[^/]+\/messages)?$/, fields: attachments },
    // Dictation (transcription): the JSON API and the no-JavaScript composer buttons.
    { path: /^\/api\/transcribe$/, fields: { audio: audio.audio } },
    { path: /^\/(threads\/[^/]+\/)?transcribe$/, fields: { ...attachments, ...audio } },
  ];
}
