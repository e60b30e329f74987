import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code and touch no network; integration and end-to-end tests run
// against real servers that the harness in libs/testing starts once per run.
export default defineConfig({
  resolve: { conditions: ['@muster/source'] },
  ssr: { resolve: { conditions: ['@muster/source'] } },
  // The global setup (libs/testing) runs in Vitest's own environment and imports workspace
  // packages (@muster/bus-auth for the NATS users), so that environment resolves sources too.
  environments: { __vitest__: { resolve: { conditions: ['@muster/source'] } } },
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'libs/*/src/**/*.spec.ts',
            'services/*/src/**/*.spec.ts',
            'tools/**/*.spec.ts',
            'cli/src/**/*.spec.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'libs/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'test/**/*.test.ts',
            'tools/**/*.test.ts',
            'cli/test/**/*.test.ts',
          ],
          globalSetup: ['./libs/testing/src/vitest-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
