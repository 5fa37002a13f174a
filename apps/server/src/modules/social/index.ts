import type { OmniModule } from '../../kernel/module.js';
import './social.permissions.js';
import { socialJobs } from './social.jobs.js';
import { socialRoutes } from './social.routes.js';

/**
 * The social module: connections to social networks (OAuth connect, destination choice, encrypted tokens,
 * refresh, reconnect flagging), the provider registry, and the built-in Sandbox network. Routes under
 * /api/social. The publishing engine uses the functions below; nothing else of this module.
 */
export function socialModule(): OmniModule {
  return { name: 'social', routes: socialRoutes, jobs: socialJobs };
}

export {
  /**
   * Decrypted credentials and the provider for publishing to one connection; refreshes first when the
   * access token expires within 5 minutes (a week for Meta's 'extend' model), serialized per connection on
   * its row lock. A refresh failing
   * with 'disconnected' flags the connection and rethrows the ProviderError.
   */
  loadPublishingConnection,
  /**
   * Report a ProviderError met while publishing: 'disconnected' (or repeated 'refresh_needed') flags the
   * connection needs_reconnect, emails its owners once per incident and emits
   * social.connection_needs_reconnect; a first 'refresh_needed' makes the next load refresh.
   */
  reportConnectionProblem,
  /**
   * In the caller's transaction, without touching tokens: may posts of the account be scheduled on this
   * connection (exists in the account, active, destination selected)? A typed result, not an error.
   */
  checkSchedulingConnection,
  /**
   * In the caller's transaction: the account's connections a post can be planned for (active, or waiting
   * for a reconnect), with network, destination kind and name. For content's destination picker and checks.
   */
  listSchedulableConnections,
  type PublishingConnection,
  type SchedulableConnection,
  type SchedulingCheck,
} from './social.publishing.js';

export {
  /** Seed: the account's demo Sandbox feed (created once). */
  seedSandboxConnection,
  /** Seed: a backdated post on a Sandbox feed, with engagement. */
  seedSandboxPost,
} from './social.seed.js';

export {
  /** The provider of a network (built once per kernel). */
  getProvider,
  /** Every provider this build has, configured or not. */
  listProviders,
  /** Tests: replace a network's provider for one kernel. */
  overrideProvider,
} from './providers/index.js';

export {
  networkIds,
  ProviderError,
  type ConnectionCredentials,
  type EngagementMetrics,
  type NetworkId,
  type OAuthSupport,
  type ProviderErrorKind,
  type ProviderTokens,
  type PublishContent,
  type PublishDestination,
  type PublishMedia,
  type PublishResult,
  type RefreshModel,
  type SocialProvider,
} from './providers/provider.js';
