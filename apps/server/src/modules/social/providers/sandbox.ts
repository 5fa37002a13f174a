import { randomUUID } from 'node:crypto';
import { isUuid } from '../../../kernel/db/database.js';
import { withTenant } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { insertSandboxPost, selectSandboxPostByExternalId, selectSandboxPostByKey } from '../social.queries.js';
import { ProviderError, type ConnectionCredentials, type SocialProvider } from './provider.js';

/**
 * The built-in Sandbox network: no OAuth, no keys. A "published" post is a sandbox_posts row, stored
 * once per (connection, idempotency key) and shown in the console. credentials.metadata carries the
 * tenant and connection ids (loadPublishingConnection puts them there). Metrics are the row's counters,
 * which only the console or a test changes — deterministic, never random.
 */
function scopeOf(credentials: ConnectionCredentials): { tenantId: string; connectionId: string } {
  const { tenantId, connectionId } = credentials.metadata;
  if (!isUuid(tenantId) || !isUuid(connectionId)) {
    throw new ProviderError('rejected', 'Sandbox: credentials.metadata must carry tenantId and connectionId');
  }
  return { tenantId, connectionId };
}

export function sandboxPostUrl(externalId: string): string {
  return `/connections/sandbox?post=${encodeURIComponent(externalId)}`;
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
      const { tenantId, connectionId } = scopeOf(credentials);
      if (content.text.trim().length === 0 && content.media.length === 0) throw new ProviderError('rejected', 'Sandbox: a post needs text or media');
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
      return { externalId: post.externalId, url: sandboxPostUrl(post.externalId) };
    },
    async findPublished(credentials, idempotencyKey) {
      const { tenantId, connectionId } = scopeOf(credentials);
      const post = await withTenant({ db: kernel.db, tenantId }, (tx) => selectSandboxPostByKey(tx, connectionId, idempotencyKey));
      return post ? { externalId: post.externalId, url: sandboxPostUrl(post.externalId) } : null;
    },
    async fetchMetrics(credentials, externalId) {
      const { tenantId, connectionId } = scopeOf(credentials);
      const post = await withTenant({ db: kernel.db, tenantId }, (tx) => selectSandboxPostByExternalId(tx, externalId));
      if (!post || post.connectionId !== connectionId) throw new ProviderError('rejected', 'Sandbox: no such post on this connection');
      return { likes: post.likes, comments: post.comments, shares: post.shares, impressions: post.impressions, clicks: post.clicks };
    },
  };
}
