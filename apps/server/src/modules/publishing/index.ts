import type { OmniModule } from '../../kernel/module.js';
import './publishing.permissions.js';
import { publishingJobs } from './publishing.jobs.js';
import { publishingRoutes } from './publishing.routes.js';

/**
 * The publishing module: post targets scheduled on social connections and published exactly once
 * (attempt recorded before the call, unknown outcomes reconciled, fair dispatch across tenants), with
 * engagement metrics collected afterwards. See docs/decisions/006-publishing-engine.md.
 */
export function publishingModule(): OmniModule {
  return {
    name: 'publishing',
    routes: async (app) => publishingRoutes(app),
    jobs: publishingJobs,
  };
}

export {
  /** The active account's publishing permissions (posts:read, posts:publish). */
  publishingPermissions,
} from './publishing.permissions.js';

export {
  /** Seed: a post published in the past, with its history and engagement snapshots. */
  seedPublishedTarget,
  /** Seed: a post scheduled in the future (its dispatcher wake-up queued). */
  seedScheduledTarget,
  /** Seed: the account's publishing time zone. */
  seedPublishingTimezone,
  type DemoEngagement,
} from './publishing.seed.js';
