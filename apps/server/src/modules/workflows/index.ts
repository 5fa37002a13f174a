import type { OmniModule } from '../../kernel/module.js';
import './workflows.permissions.js';
import './steps/index.js';
import { workflowsJobs } from './engine/jobs.js';
import { signalJob } from './engine/signals.js';
import { subscribeWaits } from './workflows.subscribers.js';
import { workflowsRoutes } from './workflows.routes.js';
import { subscribeEventTriggers } from './triggers/event-triggers.js';
import { triggerJobs } from './triggers/jobs.js';
import { workflowTriggerRoutes } from './triggers/triggers.routes.js';

/**
 * The workflows module: versioned graph definitions of an account (a trigger, steps, connections between
 * their ports), durable runs pinned to a version whose steps run as jobs (claim with a lease, finish and
 * start successors in one transaction, retries with backoff, a sweeper for dead workers, fair lanes per
 * tenant), and their history step by step. Routes under /api/workflows. See modules/workflows/README.md.
 */
export function workflowsModule(): OmniModule {
  return {
    name: 'workflows',
    routes: async (app) => {
      await workflowsRoutes(app);
      await workflowTriggerRoutes(app);
    },
    jobs: [...workflowsJobs, signalJob, ...triggerJobs],
    subscribe: (bus) => {
      subscribeWaits(bus);
      subscribeEventTriggers(bus);
    },
  };
}

/** The workflows permission names. */
export { workflowsPermissions } from './workflows.permissions.js';
