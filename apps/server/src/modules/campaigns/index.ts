import type { OmniModule } from '../../kernel/module.js';
import './campaigns.permissions.js';
import { campaignsJobs } from './campaigns.jobs.js';
import { campaignsRoutes } from './campaigns.routes.js';
import { subscribeCampaigns } from './campaigns.subscribers.js';

/**
 * The campaigns module: campaigns of an account (goal, audience, channels, budget, dates, KPIs), a
 * strategy and post drafts generated from the brief by the campaign-strategist (under the
 * content-generation HITL policy), links to content posts with predicted performance, and predicted
 * against actual results. Routes under /api/campaigns. See modules/campaigns/README.md.
 */
export function campaignsModule(): OmniModule {
  return { name: 'campaigns', routes: async (app) => campaignsRoutes(app), jobs: campaignsJobs, subscribe: subscribeCampaigns };
}

/** The campaigns permission names. */
export { campaignsPermissions } from './campaigns.permissions.js';

/** Seed: a campaign with posts of the account linked to it (and predicted). */
export { seedCampaign } from './campaigns.seed.js';
