import { randomUUID } from 'node:crypto';
import { isUuid } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { insertSandboxPost, selectSandboxPostByExternalId, selectSandboxPostByKey } from '../social.queries.js';
import type { SandboxBehaviour } from '@omni/contracts/social';
import { ProviderError, type ConnectionCredentials, type SocialProvider } from './provider.js';

/**
 * The built-in Sandbox network: no OAuth, no keys. A "published" post is a sandbox_posts row, stored
 * once per (connection, idempotency key) and shown in the console. credentials.metadata carries the
 * tenant and connection ids (loadPublishingConnection puts them there) and the feed's behaviour, so a demo
 * or a browser test can see a lost answer (unconfirmed, no lookup) or a refusal for real. Metrics are the
 * row's counters, which only the console or a test changes — deterministic, never random.
 */
function scopeOf(credentials: ConnectionCredentials): { tenantId: string; connectionId: string; behaviour: SandboxBehaviour } {
  const { tenantId, connectionId, sandboxBehaviour } = credentials.metadata;
  if (!isUuid(tenantId) || !isUuid(connectionId)) {
    throw new ProviderError('rejected', 'Sandbox: credentials.metadata must carry tenantId and connectionId');
  }
  // Chosen when the feed was created (destination metadata): see sandboxBehaviourSchema.
  const behaviour = sandboxBehaviour === 'lose_response' || sandboxBehaviour === 'reject' ? sandboxBehaviour : 'publish';
  return { tenantId, connectionId, behaviour };
}

/** The console's connections page, with the post picked out in the Sandbox posts list. */
export function sandboxPostUrl(externalId: string): string {
  return `/connections?sandboxPost=${encodeURIComponent(externalId)}`;
}

export function createSandboxProvider(kernel: Kernel): SocialProvider {
  return {
    id: 'sandbox',
    displayName: 'Sandbox',
    isConfigured: true,
    oauth: null,
    async listDestinations() {
      // Sandbox destinations are created by name (POST /api/social/connections/sandbox), not discovered.
      return [];
    },
    async publish(credentials, content, idempotencyKey) {
      const { tenantId, connectionId, behaviour } = scopeOf(credentials);
      if (content.text.trim().length === 0 && content.media.length === 0) throw new ProviderError('rejected', 'Sandbox: a post needs text or media');
      if (behaviour === 'reject') throw new ProviderError('rejected', 'Sandbox: this feed refuses every post (simulated rejection)');
      const { post } = await withTenant({ db: kernel.db, tenantId }, (tx) =>
        insertSandboxPost(tx, {
          tenantId,
          connectionId,
          text: content.text,
          media: content.media.map((media) => ({ url: media.url, kind: media.kind, altText: media.altText })),
          link: content.link,
          options: content.options,
          idempotencyKey,
          externalId: `sandbox_${randomUUID()}`,
        }),
      );
      if (behaviour === 'lose_response') {
        throw new ProviderError('unknown_outcome', 'Sandbox: the post was stored, but the answer was lost on the way back (simulated)');
      }
      return { externalId: post.externalId, url: sandboxPostUrl(post.externalId) };
    },
    async findPublished(credentials, idempotencyKey) {
      const { tenantId, connectionId, behaviour } = scopeOf(credentials);
      // A network without post lookup: an unknown outcome stays unconfirmed for a person to resolve.
      if (behaviour === 'lose_response') throw new ProviderError('rejected', 'Sandbox: this feed offers no way to look a post up (simulated)');
      const post = await withTenantRead({ db: kernel.db, tenantId }, (tx) => selectSandboxPostByKey(tx, connectionId, idempotencyKey));
      return post ? { externalId: post.externalId, url: sandboxPostUrl(post.externalId) } : null;
    },
    async fetchMetrics(credentials, externalId) {
      const { tenantId, connectionId } = scopeOf(credentials);
      const post = await withTenantRead({ db: kernel.db, tenantId }, (tx) => selectSandboxPostByExternalId(tx, externalId));
      if (!post || post.connectionId !== connectionId) throw new ProviderError('rejected', 'Sandbox: no such post on this connection');
      return { likes: post.likes, comments: post.comments, shares: post.shares, impressions: post.impressions, clicks: post.clicks };
    },
  };
}
