import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));
const alias = {
  '@': root,
  'server-only': path.join(root, 'test/support/empty.ts'),
};
const dbSuites = ['test/db/**/*.test.ts'];
const lakeSuites = ['test/lake/**/*.test.ts', 'test/engine/duckdb/**/*.test.ts', 'test/queries/saved-queries.test.ts', 'test/queries/access-index.test.ts', 'test/posture/spikes-demo-lake.test.ts', 'test/cli/**/*.test.ts', 'test/bench/**/*.test.ts', 'test/retention/archive-and-explain.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        // Pure code: the architecture rules, parameter validation, formats, the Athena adapter
        // against recorded AWS responses. No database, no generated lake.
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...dbSuites, ...lakeSuites, 'test/e2e/**'],
        },
      },
      {
        // The log lake and the embedded engine: generated lakes (with truth.json), compaction,
        // every saved query against the planted answers, the CLI and the benchmark's plumbing.
        resolve: { alias },
        test: {
          name: 'lake',
          include: lakeSuites,
          globalSetup: ['test/support/lake-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'db-pglite',
          include: dbSuites,
          exclude: ['test/db/postgres/**'],
          env: { CUSTOS_TEST_DB: 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'db-postgres',
          include: dbSuites,
          env: { CUSTOS_TEST_DB: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
