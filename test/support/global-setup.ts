import { DIALECTS_LINE } from './dialects.ts';
import { buildServer } from './server-process.ts';

// Said before anything runs (the summary reporter says it again at the end), so nobody mistakes a
// SQLite-only run for a full one.
export default function setup() {
  console.log(`\n${DIALECTS_LINE}\n`);
  // Tests that start the real server run what npm start runs: the compiled dist/ (built here once per run).
  buildServer();
}
