import type { OmniModule } from '../../kernel/module.js';
import './content.permissions.js';
import { registerPostApprovalSubject } from './content.approvals.js';
import { registerContentWorkflowActions } from './content.workflow-actions.js';
import { contentJobs } from './content.jobs.js';
import { contentCalendarRoutes } from './content.calendar.routes.js';
import { contentImportsRoutes } from './content.imports.routes.js';
import { contentRoutes } from './content.routes.js';
import { contentRecurrenceRoutes } from './content.recurrence.routes.js';
import { subscribeContent } from './content.subscribers.js';
import './use-cases/lifecycle.js';

/**
 * The content module: posts with per-network variants, destinations, revisions (diff, restore),
 * templates, content settings, the review/schedule lifecycle and the mapping of posts onto publishing
 * targets. See docs/design/content-studio.md §3 and modules/content/README.md.
 */
export function contentModule(): OmniModule {
  registerPostApprovalSubject();
  registerContentWorkflowActions();
  return {
    name: 'content',
    routes: async (app) => {
      await contentRoutes(app);
      await contentCalendarRoutes(app);
      await contentRecurrenceRoutes(app);
      await app.register(contentImportsRoutes);
    },
    jobs: contentJobs,
    subscribe: subscribeContent,
  };
}

export {
  /** The active account's content permissions. */
  contentPermissions,
} from './content.permissions.js';

export {
  /**
   * In the caller's transaction (feeds.process-entry): one post from an article, its variants rendered from
   * the template, revision 1, submitted for approval by the system. Returns the post id and its issues.
   */
  createPostFromArticle,
  /** Whether the account has the template (feeds check the one a subscription or webhook names). */
  articleTemplateExists,
  type Article,
  type ArticleSource,
} from './use-cases/articles.js';

export {
  /** In the caller's transaction: a draft post from a campaign's post draft (destinations: the network's active connections). */
  createCampaignDraftInTx,
  /** In the caller's transaction: submit posts for review one by one, skipping (with content's code and message) those that cannot be. */
  submitPostsForReviewInTx,
  /** Posts of an account by id, as summaries with the resolved text per network (predictions). */
  listCampaignPostViews,
  /** Engagement per post and network from publishing's targets (published count, latest metrics summed). */
  summarizePostEngagement,
  type CampaignDraftInput,
  type CampaignPostView,
  type PostNetworkEngagement,
  type SubmitSkip,
} from './use-cases/campaign-support.js';

export {
  /** In the caller's transaction: the post of a workflow's create_post step, made once per step run (a re-run finds it). */
  createWorkflowPostInTx,
  /** The connections a workflow post would go to (for dry runs); 422 content.no_destination when none is usable. */
  resolveWorkflowPostDestinations,
  type WorkflowPostDestinations,
  type WorkflowPostInput,
  type WorkflowPostSource,
} from './use-cases/workflow-support.js';

/** Seed: templates, posts through the lifecycle, and posts for publishing targets the seed made. */
export { seedContentTemplate, seedPost, seedPostForTarget } from './content.seed.js';

export {
  /** Pure: the effective content of a variant (its fields, else the base). */
  resolveVariant,
} from '@omni/contracts/content';
