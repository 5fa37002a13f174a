import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { EventBus } from './events/events.js';
import type { Logger } from './logger.js';

/** The infrastructure every service and job receives. Built once per process by buildKernel. */
export type Kernel = {
  config: Config;
  logger: Logger;
  db: Database;
  events: EventBus;
};
