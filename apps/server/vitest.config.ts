import path from 'node:path';
import { defineConfig } from 'vitest/config';

// CI sets OMNI_JUNIT_DIR (and OMNI_JUNIT_LABEL per run) so that `npm test` itself leaves a JUnit report.
const junitDirectory = process.env.OMNI_JUNIT_DIR;
const junitLabel = process.env.OMNI_JUNIT_LABEL ?? 'run';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: junitDirectory ? ['default', 'junit'] : ['default'],
    ...(junitDirectory ? { outputFile: { junit: path.join(junitDirectory, `server-${junitLabel}.xml`) } } : {}),
  },
});
