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
  /**
   * In the caller's transaction, no permission check (the caller authorized): create targets as
   * POST /api/publishing/targets does (connection check, transition, dispatcher wake-up); content may be
   * omni-media:// references. Rolls back with the caller.
   */
  scheduleTargetsInTx,
  /** Change a still-scheduled target's content/time (queued publish job removed, same key); typed refusal otherwise. */
  reviseScheduledTarget,
  /** Cancel a still-scheduled target (queued publish job removed); typed refusal otherwise. */
  cancelScheduledTarget,
  /** Current statuses of many targets, one query. */
  getTargetStatuses,
  /** Non-cancelled targets on connections in a time range (conflict checks). */
  listConnectionLoad,
  /** The per-connection rate windows in force. */
  perConnectionWindows,
  /** The account's IANA time zone (publishing settings) or null. */
  getAccountTimezone,
  type ConnectionLoadItem,
  type InternalContent,
  type ScheduleTargetItem,
  type ScheduledChangeResult,
  type TargetStatusSummary,
} from './use-cases/internal.js';

export {
  /** The latest engagement snapshot per target (A/B comparison). */
  getLatestEngagement,
  /** Engagement per (network, weekday, hour) in a time zone (best times). */
  summarizeEngagementByHour,
  type EngagementBucket,
  type LatestEngagement,
} from './use-cases/insights.js';

export {
  /** Seed: a post published in the past, with its history and engagement snapshots. */
  seedPublishedTarget,
  /** Seed: a post scheduled in the future (its dispatcher wake-up queued). */
  seedScheduledTarget,
  /** Seed: the account's publishing time zone. */
  seedPublishingTimezone,
  type DemoEngagement,
} from './publishing.seed.js';

export {
  /**
   * Published history with what was sent and the latest engagement (the ai module's predictor learns
   * from it): posts of an account and network, counts for fallbacks, trainable (account, network) pairs,
   * and (under system access) the tenants that have any.
   */
  listPublishedPosts,
  summarizeHistory,
  listTrainablePairs,
  listTenantsWithHistory,
  type PublishedPost,
  type HistorySummary,
} from './use-cases/history.js';
