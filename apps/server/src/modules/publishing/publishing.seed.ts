import { randomUUID } from 'node:crypto';
import type { Tx } from '../../kernel/db/database.js';
import type { PublishResult } from '../social/index.js';
import { scheduleDispatch } from './publishing.jobs.js';
import { finishAttempt, insertAttempt, insertMetrics, insertTarget, insertTransition, updateTarget, upsertSettings, type StoredContent } from './publishing.queries.js';

/**
 * Demo data for the seed (caller's transaction): posts that went out in the past days, with the history
 * and engagement snapshots the engine would have recorded, and posts scheduled for the coming days (with
 * their dispatcher wake-ups, so they really publish when their time comes).
 */

export type DemoEngagement = { likes: number; comments: number; shares: number; impressions: number; clicks: number };

type DemoTargetBase = { tenantId: string; accountId: string; connectionId: string; network: string; createdBy: string; text: string; link: string | null };

const contentOf = (text: string, link: string | null): StoredContent => ({ text, media: [], link, options: {} });

/** Hours after publishing at which the demo history has engagement snapshots, and the share of the final counts then. */
const snapshotShares: Array<[hours: number, share: number]> = [
  [1, 0.3],
  [6, 0.7],
  [24, 1],
];

/**
 * A published post: scheduled, attempted once and accepted at `publishedAt`, with snapshots at +1 h, +6 h
 * and +24 h (those already past) growing to `engagement`. `publish` stores the post on the network side
 * (the Sandbox) under the target's idempotency key and returns its ids.
 */
export async function seedPublishedTarget(
  tx: Tx,
  input: DemoTargetBase & { publishedAt: Date; engagement: DemoEngagement; publish: (idempotencyKey: string) => Promise<PublishResult> },
): Promise<string> {
  const idempotencyKey = `omni-${randomUUID()}`;
  const scheduledAt = input.publishedAt;
  const createdAt = new Date(scheduledAt.getTime() - 2 * 24 * 3600_000);
  const target = await insertTarget(tx, { ...input, content: contentOf(input.text, input.link), scheduledAt, idempotencyKey, createdAt });
  const result = await input.publish(idempotencyKey);
  const startedAt = new Date(scheduledAt.getTime() + 400);
  await insertAttempt(tx, { tenantId: input.tenantId, targetId: target.id, attemptNumber: 1, idempotencyKey, startedAt });
  await finishAttempt(tx, { targetId: target.id, attemptNumber: 1, outcome: 'published', errorKind: null, errorMessage: null, finishedAt: new Date(startedAt.getTime() + 600) });
  await updateTarget(tx, target.id, { status: 'published', attemptCount: 1, nextAttemptAt: null, externalId: result.externalId, externalUrl: result.url, publishedAt: new Date(startedAt.getTime() + 600) });
  const history = [
    { from: null, to: 'scheduled' as const, reason: `scheduled for ${scheduledAt.toISOString()}`, at: createdAt },
    { from: 'scheduled' as const, to: 'publishing' as const, reason: 'attempt 1 started', at: startedAt },
    { from: 'publishing' as const, to: 'published' as const, reason: `attempt 1 accepted by ${input.network}`, at: new Date(startedAt.getTime() + 600) },
  ];
  for (const step of history) await insertTransition(tx, { tenantId: input.tenantId, targetId: target.id, ...step });
  for (const [hours, share] of snapshotShares) {
    const collectedAt = new Date(startedAt.getTime() + hours * 3600_000);
    if (collectedAt.getTime() > Date.now()) break;
    const scaled = (value: number) => Math.round(value * share);
    await insertMetrics(tx, {
      tenantId: input.tenantId,
      targetId: target.id,
      collectedAt,
      likes: scaled(input.engagement.likes),
      comments: scaled(input.engagement.comments),
      shares: scaled(input.engagement.shares),
      impressions: scaled(input.engagement.impressions),
      clicks: scaled(input.engagement.clicks),
    });
  }
  return target.id;
}

/** A post scheduled for `scheduledAt`, with the dispatcher's wake-up at that time. */
export async function seedScheduledTarget(tx: Tx, input: DemoTargetBase & { scheduledAt: Date }): Promise<string> {
  const target = await insertTarget(tx, { ...input, content: contentOf(input.text, input.link), idempotencyKey: `omni-${randomUUID()}` });
  await insertTransition(tx, { tenantId: input.tenantId, targetId: target.id, from: null, to: 'scheduled', reason: `scheduled for ${input.scheduledAt.toISOString()}` });
  await scheduleDispatch(tx, input.scheduledAt);
  return target.id;
}

/** The account's publishing time zone (the console shows its posts' times in it). */
export async function seedPublishingTimezone(tx: Tx, input: { tenantId: string; accountId: string; timezone: string; updatedBy: string }): Promise<void> {
  await upsertSettings(tx, { tenantId: input.tenantId, accountId: input.accountId, lateAfterSeconds: null, timezone: input.timezone, updatedBy: input.updatedBy });
}
