// What a benchmark is: a named module that measures and says, per figure, whether its budget was met.
import type { Browser } from 'playwright-core';

export type Figure = {
  /** What was measured, e.g. "sign-in: first visit, total". */
  figure: string;
  /** The budget as a person reads it, e.g. "<= 40.0 KB". */
  budget: string;
  /** The measurement (a median when several runs were made), e.g. "23.4 KB". */
  measured: string;
  pass: boolean;
};

export type BenchContext = {
  /** How many runs each figure's median is taken over. */
  runs: number;
  /** A shared Chromium, started on first use. */
  browser(): Promise<Browser>;
  log(line: string): void;
};

export type Benchmark = {
  /** Short id used by `npm run bench -- --only <name>`. */
  name: string;
  describe: string;
  run(ctx: BenchContext): Promise<Figure[]>;
};
