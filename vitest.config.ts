import { configDefaults, defineConfig } from 'vitest/config';

// Two projects, one run: `npm test` runs both; `npm run test:browser` only the browser one.
// Reporters are global (the summary line comes out once, at the end).
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/browser/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.ts'],
          // Real Chromium, real servers, a 4x-throttled phone: slower than supertest, and one file at a time so
          // that several Chromiums do not fight over two cores.
          testTimeout: 60_000,
          hookTimeout: 90_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
