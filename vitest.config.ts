import { defineConfig } from 'vitest/config';

// Three suites: unit tests beside the code (no PBX), integration tests against the PBX lab, and
// end-to-end tests in a real browser. The last two share one lab instance, so they run serially.
export default defineConfig({
  test: {
    projects: [
      'ui/vitest.config.ts',
      {
        test: {
          name: 'unit',
          include: ['appliance/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
