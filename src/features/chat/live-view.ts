// How a live answer is shown: markdown rendered up to the last natural boundary, the rest as escaped text.
// The page, the htmx fragment and the SSE stream all cut at the same place, so a stream resumed at any offset
// continues exactly where the page left off.
import { escapeHtml, renderMarkdown } from './markdown.ts';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Finds block boundaries incrementally (each character is scanned once): the start of an unindented, non-blank line
 * that follows a blank line or a closing code fence, outside a fence, known from the line's first character.
 */
export class BoundaryScanner {
  boundary = 0;
  /** Every boundary found so far, in order: the blocks are rendered one by one between them. */
  readonly boundaries: number[] = [];
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
      if (!blank && !/^\s/.test(line) && (this.prevBlank || this.prevClosedFence)) this.mark(start);
      const open = FENCE.exec(line);
      if (open) this.fence = open[1];
      this.prevBlank = blank;
      this.prevClosedFence = false;
    }
    // The line being written already starts a block if its first character is not a space: nothing after a blank
    // line (or a closed fence) at column 0 continues the block before it, except what the end re-renders whole
    // (a loose list, a reference definition: see sse.ts). Cutting here, not at the line's end, keeps a long first
    // line from being sent twice (once in the tail, once in the tail's reset).
    if (!this.fence && (this.prevBlank || this.prevClosedFence) && this.pos < text.length && !/\s/.test(text[this.pos])) this.mark(this.pos);
    return this.boundary;
  }

  private mark(start: number): void {
    if (start <= this.boundary) return;
    this.boundary = start;
    this.boundaries.push(start);
  }
}

export function boundaryOf(text: string): number {
  return new BoundaryScanner().scan(text);
}

/**
 * The text between consecutive cuts (boundaries, or 0), each block rendered on its own. Every view of a live answer
 * (the page, each SSE event, a resumed stream) cuts at the same boundaries and renders each block alone, so the
 * browser ends up with the same HTML however the stream was split into events and connections.
 */
export function renderBlocks(text: string, cuts: readonly number[]): string {
  let html = '';
  for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i + 1] > cuts[i]) html += renderMarkdown(text.slice(cuts[i], cuts[i + 1]));
  return html;
}

export type LiveParts = { blocksHtml: string; tailHtml: string };

/** A live answer as the page shows it: rendered blocks, then the unfinished tail as escaped text. */
export function liveParts(text: string): LiveParts {
  const scanner = new BoundaryScanner();
  const b = scanner.scan(text);
  return { blocksHtml: renderBlocks(text, [0, ...scanner.boundaries]), tailHtml: escapeHtml(text.slice(b)) };
}
