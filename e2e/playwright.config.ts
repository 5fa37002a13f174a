import { defineConfig, devices } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

/**
 * Browser tests against the real platform: the config builds the console and starts `omni start` on its
 * own port with a fresh data directory (embedded PostgreSQL, demo seed), then waits for /readyz.
 */
/**
 * A port of its own, so a platform already running on :3000 (npm start) does not interfere; OMNI_E2E_PORT
 * picks another, so that two runs on one machine (two checkouts, two people) do not meet. The runner's
 * workers inherit it, so they see the same port.
 */
// eslint-disable-next-line no-restricted-properties -- the browser tests' own setting, not the server's configuration
const port = Number(process.env.OMNI_E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
const dataDir = path.join(os.tmpdir(), `omni-e2e-${port}`);
/** The console is built for this run alone, so another run's build cannot blank its pages halfway. */
const webDistDir = path.join(os.tmpdir(), `omni-e2e-${port}-web`);
const repositoryRoot = path.resolve(import.meta.dirname, '..');

export default defineConfig({
  testDir: './tests',
  outputDir: port === 3100 ? './artifacts/results' : `./artifacts/results-${port}`,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // CI passes --reporter=line,junit (PLAYWRIGHT_JUNIT_OUTPUT_FILE names the file).
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    serviceWorkers: 'block',
    locale: 'en-US',
    timezoneId: 'UTC',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    command: `rm -rf "${dataDir}" && npm run build -w @omni/web -- --outDir "${webDistDir}" --emptyOutDir && npm run omni -- start`,
    cwd: repositoryRoot,
    url: `${baseURL}/readyz`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    env: {
      PORT: String(port),
      PUBLIC_URL: baseURL,
      DATA_DIR: dataDir,
      WEB_DIST_DIR: webDistDir,
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      // Every test signs in from 127.0.0.1: keep the per-IP credential limit out of the way.
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '10000',
    },
  },
});
