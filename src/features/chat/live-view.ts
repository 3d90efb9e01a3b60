// How a live answer is shown: markdown rendered up to the last natural boundary, the rest as escaped text.
// The page, the htmx fragment and the SSE stream all cut at the same place, so a stream resumed at any offset
// continues exactly where the page left off.
import { escapeHtml, renderMarkdown } from './markdown.ts';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Finds block boundaries incrementally (each character is scanned once): the start of an unindented line that
 * follows a blank line or a closing code fence, outside a fence. Only complete lines count.
 */
export class BoundaryScanner {
  boundary = 0;
  private pos = 0;
  private fence: string | null = null;
  private prevBlank = false;
  private prevClosedFence = false;

  /** Scans `text` (which only ever grows) and returns the last boundary. */
  scan(text: string): number {
    let nl: number;
    while ((nl = text.indexOf('\n', this.pos)) >= 0) {
      const line = text.slice(this.pos, nl);
      const start = this.pos;
      this.pos = nl + 1;
      const blank = line.trim() === '';
      if (this.fence) {
        const m = FENCE.exec(line);
        if (m && m[1][0] === this.fence[0] && m[1].length >= this.fence.length && line.trim() === m[1]) {
          this.fence = null;
          this.prevClosedFence = true;
          this.prevBlank = false;
        }
        continue;
      }
      if (!blank && !/^\s/.test(line) && (this.prevBlank || this.prevClosedFence)) this.boundary = start;
      const open = FENCE.exec(line);
      if (open) this.fence = open[1];
      this.prevBlank = blank;
      this.prevClosedFence = false;
    }
    return this.boundary;
  }
}

export function boundaryOf(text: string): number {
  return new BoundaryScanner().scan(text);
}

/** Blocks rendered independently: a boundary never falls inside a fence, a list continuation or a paragraph. */
export function renderBlocks(text: string): string {
  return text ? renderMarkdown(text) : '';
}

export type LiveParts = { blocksHtml: string; tailHtml: string };

/** A live answer as the page shows it: rendered blocks, then the unfinished tail as escaped text. */
export function liveParts(text: string): LiveParts {
  const b = boundaryOf(text);
  return { blocksHtml: renderBlocks(text.slice(0, b)), tailHtml: escapeHtml(text.slice(b)) };
}
