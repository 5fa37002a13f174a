import type { AbOutcome, AbResult, AbWinnerBody } from '@omni/contracts/content-recurrence';
import { abResultSchema } from '@omni/contracts/content-recurrence';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { isUuid } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, conflict, notFound } from '../../../kernel/errors.js';
import { emitEvent } from '../../../kernel/events/events.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getLatestEngagement, getTargetStatuses, type LatestEngagement } from '../../publishing/index.js';
import { contentPermissions } from '../content.permissions.js';
import type { Config } from '../../../kernel/config.js';
import { defineNotificationKind, notifyUsers } from '../../notifications/index.js';
import { findPost, selectPostTargets, selectVariants, type PostTargetRow, type VariantRow } from '../content.queries.js';
import { findAbState, updateAbOutcome, updateAbResult, type AbRow } from '../content.recurrence.queries.js';
import { postSubjectType, requireAccount, summaryOf } from './posts.js';

/**
 * A/B comparison (design §7.4): 73 hours after variant B went out (publishing collects metrics up to
 * +72 h), the summed latest engagement of each variant's targets is compared — per impression when both
 * variants have impressions — and the better one is marked the winner; within 5 % it is a tie (no winner).
 * An editor may override the winner; the person is recorded. Both emit content.ab_winner_marked.
 */

/** Hours after B's publication at which the comparison runs (after publishing's +72 h metrics snapshot). */
export const abCompareDelayHours = 73;
/** Scores within this fraction of the larger one are a tie. */
export const abTieTolerance = 0.05;

type Variants = { A: VariantRow; B: VariantRow };

function abVariantsOf(variants: VariantRow[]): Variants | null {
  const a = variants.find((variant) => variant.abLabel === 'A');
  const b = variants.find((variant) => variant.abLabel === 'B');
  return a && b ? { A: a, B: b } : null;
}

const engagementOf = (snapshot: LatestEngagement) => (snapshot.likes ?? 0) + (snapshot.comments ?? 0) + (snapshot.shares ?? 0) + (snapshot.clicks ?? 0);

/**
 * Pure: the comparison of two variants from their targets' latest snapshots. Rate per impression when every
 * measured target of both variants has impressions (and each variant has some), else the plain engagement.
 */
export function compareVariants(
  input: Record<'A' | 'B', { variantId: string; targetIds: string[] }>,
  snapshots: LatestEngagement[],
  comparedAt: Date,
): AbResult {
  const byTarget = new Map(snapshots.map((snapshot) => [snapshot.targetId, snapshot]));
  const summarize = (side: 'A' | 'B') => {
    const measured = input[side].targetIds.map((id) => byTarget.get(id)).filter((snapshot): snapshot is LatestEngagement => Boolean(snapshot));
    const engagement = measured.reduce((sum, snapshot) => sum + engagementOf(snapshot), 0);
    const hasImpressions = measured.length > 0 && measured.every((snapshot) => snapshot.impressions !== null);
    const impressions = hasImpressions ? measured.reduce((sum, snapshot) => sum + (snapshot.impressions ?? 0), 0) : null;
    return { variantId: input[side].variantId, measuredTargets: measured.length, targets: input[side].targetIds.length, engagement, impressions };
  };
  const a = summarize('A');
  const b = summarize('B');
  const perImpression = Boolean(a.impressions && b.impressions);
  const score = (side: typeof a) => (perImpression ? side.engagement / (side.impressions ?? 1) : side.engagement);
  const [scoreA, scoreB] = [score(a), score(b)];
  const larger = Math.max(scoreA, scoreB);
  const tie = larger === 0 || Math.abs(scoreA - scoreB) <= abTieTolerance * larger;
  return {
    A: { ...a, score: scoreA },
    B: { ...b, score: scoreB },
    metric: perImpression ? 'engagement_rate' : 'engagement',
    tie,
    comparedAt: comparedAt.toISOString(),
  };
}

/**
 * When a published target is variant B of an A/B post: the time the comparison should run (B published +
 * 73 h), else null. Called by the subscriber on publishing.target_published.
 */
export async function abComparisonDueAt(tx: Tx, mapped: PostTargetRow): Promise<Date | null> {
  const variants = abVariantsOf(await selectVariants(tx, mapped.postId));
  if (!variants || variants.B.id !== mapped.variantId) return null;
  const [status] = await getTargetStatuses(tx, [mapped.targetId]);
  if (!status || status.status !== 'published') return null;
  const publishedAt = status.publishedAt ? new Date(status.publishedAt) : new Date();
  return new Date(publishedAt.getTime() + abCompareDelayHours * 3_600_000);
}

export const abWinnerKind = defineNotificationKind('content.ab_winner_marked', {
  emailByDefault: false,
  description: 'An A/B test you wrote was compared after publishing and one version was marked the winner.',
});

/** The job: compare, store ab_result and mark the winner unless a person already chose one. Idempotent. */
export async function compareAbTest(ctx: { tenantId: string | null; config: Config }, tx: Tx, postId: string, now = new Date()): Promise<AbResult | null> {
  const state = await findAbState(tx, postId, { lock: true });
  if (!state?.abNetwork) return null;
  const variants = abVariantsOf(await selectVariants(tx, postId));
  if (!variants) return null;
  const targets = await selectPostTargets(tx, { postId });
  const published = new Set((await getTargetStatuses(tx, targets.map((target) => target.targetId))).filter((target) => target.status === 'published').map((target) => target.id));
  const idsOf = (variant: VariantRow) => targets.filter((target) => target.variantId === variant.id && published.has(target.targetId)).map((target) => target.targetId);
  const input = { A: { variantId: variants.A.id, targetIds: idsOf(variants.A) }, B: { variantId: variants.B.id, targetIds: idsOf(variants.B) } };
  const result = compareVariants(input, await getLatestEngagement(tx, [...input.A.targetIds, ...input.B.targetIds]), now);
  if (state.decidedBy) {
    // A person chose the winner: their choice stands, the numbers are still recorded.
    await updateAbResult(tx, postId, result);
    return result;
  }
  const winner = result.tie ? null : result.A.score > result.B.score ? variants.A : variants.B;
  await updateAbOutcome(tx, postId, { winnerVariantId: winner?.id ?? null, decidedBy: null, result });
  if (winner) {
    await emitEvent(tx, {
      tenantId: ctx.tenantId,
      type: 'content.ab_winner_marked',
      payload: { postId, accountId: state.accountId, winnerVariantId: winner.id, winnerLabel: winner.abLabel, decidedBy: null, metric: result.metric },
    });
    // The author hears of it (in the console; email only if they turn it on).
    const post = await findPost(tx, postId);
    if (post?.createdBy && ctx.tenantId) {
      const loser = winner === variants.A ? result.B : result.A;
      const best = winner === variants.A ? result.A : result.B;
      await notifyUsers(tx, {
        config: ctx.config,
        tenantId: ctx.tenantId,
        accountId: state.accountId,
        userIds: [post.createdBy],
        kind: abWinnerKind.kind,
        title: `A/B test decided: version ${winner.abLabel} won — ${summaryOf(post)}`,
        body: `Version ${winner.abLabel} scored ${formatScore(best.score, result.metric)} against ${formatScore(loser.score, result.metric)}.`,
        linkPath: `/content/posts/${postId}`,
        subject: { type: postSubjectType, id: postId },
        actorUserId: null,
      });
    }
  }
  return result;
}

function outcomeOf(state: AbRow, variants: Variants): AbOutcome {
  const parsed = abResultSchema.safeParse(state.result);
  const winnerLabel = state.winnerVariantId === variants.A.id ? 'A' : state.winnerVariantId === variants.B.id ? 'B' : null;
  return {
    postId: state.postId,
    network: state.abNetwork ?? '',
    variants: [{ id: variants.A.id, label: 'A' }, { id: variants.B.id, label: 'B' }],
    winnerVariantId: winnerLabel ? state.winnerVariantId : null,
    winnerLabel,
    decidedAt: state.decidedAt?.toISOString() ?? null,
    decidedBy: state.decidedBy,
    result: parsed.success ? parsed.data : null,
  };
}

async function loadAb(tx: Tx, postId: string, accountId: string, lock = false): Promise<{ state: AbRow; variants: Variants }> {
  const state = isUuid(postId) ? await findAbState(tx, postId, { accountId, lock }) : null;
  if (!state) throw notFound('Post');
  const variants = state.abNetwork ? abVariantsOf(await selectVariants(tx, postId)) : null;
  if (!variants) throw conflict('content.not_ab_test', 'This post is not an A/B test.');
  return { state, variants };
}

export async function getAbOutcome(ctx: ServiceContext, postId: string): Promise<AbOutcome> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => {
    const { state, variants } = await loadAb(tx, postId, accountId);
    return outcomeOf(state, variants);
  });
}

/** An editor marks the winner (overriding the comparison); recorded with the person and the time. */
export async function markAbWinner(ctx: ServiceContext, postId: string, body: AbWinnerBody): Promise<AbOutcome> {
  assertCan(ctx, contentPermissions.schedule);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const { userId } = requireActor(ctx);
  const outcome = await withTenant(ctx, async (tx) => {
    const { variants } = await loadAb(tx, postId, accountId, true);
    const winner = [variants.A, variants.B].find((variant) => variant.id === body.variantId);
    if (!winner) {
      throw new AppError('unprocessable', 'content.ab_unknown_variant', 'The winner must be variant A or B of this post.', { errors: [{ path: 'body.variantId', message: 'is not variant A or B of this post' }] });
    }
    const targets = await selectPostTargets(tx, { postId });
    const statuses = await getTargetStatuses(tx, targets.map((target) => target.targetId));
    if (!statuses.some((target) => target.status === 'published')) throw conflict('content.ab_not_published', 'Neither variant has been published yet: a winner can be marked once the test has run.');
    await updateAbOutcome(tx, postId, { winnerVariantId: winner.id, decidedBy: userId });
    await emitEvent(tx, {
      tenantId,
      type: 'content.ab_winner_marked',
      payload: { postId, accountId, winnerVariantId: winner.id, winnerLabel: winner.abLabel, decidedBy: userId, metric: null },
    });
    return outcomeOf((await findAbState(tx, postId, { accountId }))!, variants);
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = postId;
  ctx.audit.metadata = { winnerVariantId: body.variantId };
  return outcome;
}

function formatScore(score: number, metric: AbResult['metric']): string {
  return metric === 'engagement_rate' ? `${(score * 100).toFixed(2)} % engagement per impression` : `${Math.round(score)} interactions`;
}
