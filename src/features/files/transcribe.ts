// Speech to text through Mistral's transcription API (Voxtral), with the real SDK. The audio is read from memory or
// from the temporary file an upload was streamed to; nothing is kept.
import { openAsBlob } from 'node:fs';
import { Mistral } from '@mistralai/mistralai';

export type TranscribeOptions = {
  apiKey: string; serverUrl: string; model: string; signal?: AbortSignal;
  /** The whole request, upload included; a long recording on a slow link still fits in the default. */
  timeoutMs?: number;
};
export type AudioInput = ({ bytes: Uint8Array } | { path: string }) & { name: string; mime: string };

export const TRANSCRIBE_TIMEOUT_MS = 120_000;

/** The transcript; throws the SDK's errors (describeUpstreamError words them). */
export async function transcribe(opts: TranscribeOptions, audio: AudioInput): Promise<string> {
  const client = new Mistral({ apiKey: opts.apiKey, serverURL: opts.serverUrl });
  // A File (rather than the SDK's { fileName, content }) so the part carries the type found in the bytes: the SDK
  // guesses a type from the file name alone, and knows no audio type but MP3 and WAV.
  const data = 'bytes' in audio ? new Blob([new Uint8Array(audio.bytes)]) : await openAsBlob(audio.path);
  const file = new File([data], audio.name, { type: audio.mime });
  const timeoutMs = opts.timeoutMs ?? TRANSCRIBE_TIMEOUT_MS;
  const res = await client.audio.transcriptions.complete({ model: opts.model, file }, {
    timeoutMs,
    // No SDK retries: a retry is the user's (as for chat).
    retries: { strategy: 'none' },
    // A caller's signal replaces the SDK's timeout, so both go in one.
    ...(opts.signal ? { signal: AbortSignal.any([opts.signal, AbortSignal.timeout(timeoutMs)]) } : {}),
  });
  return res.text.trim();
}
