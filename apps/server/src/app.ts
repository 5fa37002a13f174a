import type { FastifyInstance } from 'fastify';
import { createDatabase } from './kernel/db/database.js';
import { createEventBus, dispatchEventJob, dispatchEventsJob, dispatchTenantsEventsJob, outboxDispatch } from './kernel/events/events.js';
import { createHttpServer } from './kernel/http/server.js';
import { createJobRegistry, registerJob, type JobRegistry } from './kernel/jobs/jobs.js';
import type { Kernel } from './kernel/kernel.js';
import type { Config } from './kernel/config.js';
import type { Logger } from './kernel/logger.js';
import { sendMailJob } from './kernel/mail/mail.js';
import type { OmniModule } from './kernel/module.js';
import { modules as allModules } from './modules.js';

/** Create the kernel for one process: the app-role connection pool and the event bus. */
export function buildKernel(config: Config, logger: Logger, appDatabaseUrl: string): Kernel {
  const db = createDatabase(appDatabaseUrl, { max: config.DB_POOL_MAX, logger });
  outboxDispatch.batchDelayMs = config.EVENTS_BATCH_DELAY_MS;
  return { config, logger, db, events: createEventBus() };
}

/** Every job the worker runs: the kernel's and each module's. */
export function buildJobRegistry(kernel: Kernel, modules: OmniModule[] = allModules): JobRegistry {
  const registry = createJobRegistry();
  registerJob(registry, dispatchEventJob);
  registerJob(registry, dispatchEventsJob);
  registerJob(registry, dispatchTenantsEventsJob);
  registerJob(registry, sendMailJob);
  for (const module of modules) {
    for (const job of module.jobs ?? []) registerJob(registry, job);
    module.subscribe?.(kernel.events);
  }
  return registry;
}

/** Build the HTTP app (kernel plugins, then modules). It does not listen: tests use app.inject(). */
export async function buildApp(kernel: Kernel, modules: OmniModule[] = allModules): Promise<FastifyInstance> {
  return createHttpServer(kernel, modules);
}
