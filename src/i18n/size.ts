// File sizes in the reader's units and separators (issue 17): "1.5 KB" in English, "1,5 Ko" in French. A Text, so a
// size inside a refusal or a page made before the reader is known reads in their language where it is shown.
import { tr, type Text } from './text.ts';

const KIB = 1024;
const MIB = 1024 * 1024;
const oneDecimal = (n: number) => Math.round(n * 10) / 10;

/** 16 → "16 B", 1536 → "1.5 KB", 26214400 → "25 MB" (binary units, at most one decimal). */
export function sizeText(bytes: number): Text {
  if (bytes < KIB) return tr('common:size.bytes', { n: bytes });
  if (bytes < MIB) return tr('common:size.kb', { n: oneDecimal(bytes / KIB) });
  return tr('common:size.mb', { n: oneDecimal(bytes / MIB) });
}
