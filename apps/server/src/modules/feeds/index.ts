import type { OmniModule } from '../../kernel/module.js';
import './feeds.permissions.js';
import { feedsJobs } from './feeds.jobs.js';
import { feedsRoutes } from './feeds.routes.js';

/**
 * The feeds module (blog-to-social): RSS/Atom subscriptions polled by jobs, signed inbound webhooks per
 * account, and the articles both receive, deduplicated, each becoming a draft post in review. Routes under
 * /api/feeds and the public POST /api/public/feeds/webhooks/:endpointId. See modules/feeds/README.md.
 */
export function feedsModule(): OmniModule {
  return { name: 'feeds', routes: async (app) => feedsRoutes(app), jobs: feedsJobs };
}

export {
  /** The feeds permissions (feeds:read viewer, feeds:manage editor). */
  feedsPermissions,
} from './feeds.permissions.js';

export {
  /** The Omni-Signature header value a sender computes for a body (seeds, examples, tests). */
  signatureHeaderFor,
} from './feeds.signature.js';

/** Seed: an inbound webhook endpoint of an account. */
export { seedWebhookEndpoint } from './feeds.seed.js';
