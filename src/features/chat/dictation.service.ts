// Dictation: one uploaded recording (field `audio`) to text. The key is the user's own or the server's, as for chat;
// a failure is an HttpError worded like chat's errors, for the JSON API and the composer alike. Nothing is stored:
// the temporary file goes with the response (src/http/multipart.ts).
import type { Config } from '../../config.ts';
import type { Db } from '../../db.ts';
import { HttpError } from '../../http/http-error.ts';
import { tr } from '../../i18n/text.ts';
import type { Uploads } from '../../http/multipart.ts';
import { describeUpstreamText, NO_KEY_TEXT } from './upstream-errors.ts';
import { effectiveApiKey } from '../settings/settings.service.ts';
import { audioTypeOfFile } from '../files/audio-type.ts';
import { transcribe } from '../files/transcribe.ts';
import { sizeText } from '../../i18n/size.ts';

export type DictationDeps = { db: Db; config: Config };

/** The status a Mistral failure answers with: a refused key or request is a bad gateway, a busy or down one 429/503. */
function upstreamStatus(err: unknown): number {
  const status = (err as { statusCode?: number } | null)?.statusCode;
  if (status === 429) return 429;
  if (status && status >= 400 && status < 500) return 502;
  return 503;
}

export async function transcribeUpload(d: DictationDeps, userId: number, uploads: Uploads, signal?: AbortSignal): Promise<string> {
  const max = d.config.files.maxAudioBytes;
  if (uploads.refused.some((r) => r.field === 'audio' && r.reason === 'too_big')) {
    throw new HttpError(413, tr('files:dictation.tooLarge', { max: sizeText(max) }), 'too_large', { audio: 'too large' });
  }
  const audio = uploads.files.find((f) => f.field === 'audio');
  if (!audio) throw new HttpError(400, tr('files:dictation.noAudio'), 'bad_request', { audio: 'missing' });
  const type = await audioTypeOfFile(audio.path);
  if (!type) {
    throw new HttpError(422, tr('files:dictation.notAudio'), 'invalid', { audio: 'not audio' });
  }
  const apiKey = await effectiveApiKey(d, userId);
  if (!apiKey) throw new HttpError(409, NO_KEY_TEXT, 'no_key');
  try {
    const base = audio.name.replace(/\.[^.]*$/, '') || 'recording';
    return await transcribe(
      { apiKey, serverUrl: d.config.mistral.serverUrl, model: d.config.files.transcriptionModel, signal },
      { path: audio.path, name: `${base}.${type.ext}`, mime: type.mime },
    );
  } catch (err) {
    const status = upstreamStatus(err);
    const e = new HttpError(status, describeUpstreamText(err), status === 429 ? 'rate_limited' : status === 502 ? 'upstream_error' : 'unavailable');
    const retryAfter = (err as { headers?: Headers } | null)?.headers?.get?.('retry-after');
    if (status === 429 && retryAfter && /^\d+$/.test(retryAfter)) e.headers['Retry-After'] = retryAfter;
    throw e;
  }
}
