// Debian's w3m and lynx, for the text-browser tests: why they cannot run here, or null. With REQUIRE_BROWSER=1 (CI)
// a missing one is a failure, otherwise the tests skip with this printed reason.
import { execFileSync } from 'node:child_process';

function textBrowsersMissing(): string | null {
  for (const b of ['w3m', 'lynx']) {
    try { execFileSync(b, ['-version'], { stdio: 'ignore' }); } catch { return `${b} is not installed (apt-get install w3m lynx)`; }
  }
  return null;
}

export function checkTextBrowsers(required: boolean): string | null {
  const missing = textBrowsersMissing();
  if (missing && required) throw new Error(`REQUIRE_BROWSER=1 but ${missing}`);
  if (missing) console.log(`\nTEXT BROWSER TEST SKIPPED: ${missing}. Set REQUIRE_BROWSER=1 to make this a failure.\n`);
  return missing;
}
