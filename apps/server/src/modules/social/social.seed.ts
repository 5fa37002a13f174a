import { randomUUID } from 'node:crypto';
import type { Tx } from '../../kernel/db/database.js';
import { sandboxPostUrl } from './providers/sandbox.js';
import type { PublishResult } from './providers/provider.js';
import { insertSandboxPost, selectConnections, upsertConnection } from './social.queries.js';
import { newSandboxConnection } from './social.shared.js';

/** Demo data for the seed (caller's transaction): a Sandbox feed for an account, and posts on it. */

/** The account's Sandbox feed called `name`, created once (a second seed run finds it). */
export async function seedSandboxConnection(
  tx: Tx,
  input: { tenantId: string; accountId: string; name: string; connectedBy: string },
): Promise<{ connectionId: string; created: boolean }> {
  const existing = (await selectConnections(tx, { accountId: input.accountId, status: 'all' })).find(
    (row) => row.network === 'sandbox' && row.destinationName === input.name,
  );
  if (existing) return { connectionId: existing.id, created: false };
  const row = await upsertConnection(tx, newSandboxConnection({ ...input, behaviour: 'publish' }));
  return { connectionId: row.id, created: true };
}

/** A post that was "published" on a Sandbox feed at `publishedAt`, with engagement: what the provider returns. */
export async function seedSandboxPost(
  tx: Tx,
  input: {
    tenantId: string;
    connectionId: string;
    text: string;
    link: string | null;
    idempotencyKey: string;
    publishedAt: Date;
    engagement: { likes: number; comments: number; shares: number; impressions: number; clicks: number };
  },
): Promise<PublishResult> {
  const { post } = await insertSandboxPost(tx, {
    tenantId: input.tenantId,
    connectionId: input.connectionId,
    text: input.text,
    media: [],
    link: input.link,
    options: {},
    idempotencyKey: input.idempotencyKey,
    externalId: `sandbox_${randomUUID()}`,
    createdAt: input.publishedAt,
    ...input.engagement,
  });
  return { externalId: post.externalId, url: sandboxPostUrl(post.externalId) };
}
