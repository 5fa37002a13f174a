import { Logger as WorkerLogger } from 'graphile-worker';
import type { Logger } from '../logger.js';

/** Route graphile-worker's log lines into our pino logger (its debug chatter stays at debug). */
export function createWorkerLogger(logger: Logger): WorkerLogger {
  const child = logger.child({ component: 'jobs' });
  return new WorkerLogger(() => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'debug' : 'trace';
    child[method](meta ?? {}, message);
  });
}
