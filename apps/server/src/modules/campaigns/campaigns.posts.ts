import type { CampaignDetail, CampaignKpiMetric, CampaignPerformance, SubmitCampaignDraftsBody, SubmitCampaignDraftsResult } from '@omni/contracts/campaigns';
import { assertCan, can, requireActor, requireTenant } from '../../kernel/access.js';
import type { Tx } from '../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../kernel/db/tenancy.js';
import { AppError, conflict } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { contentPermissions, listCampaignPostViews, submitPostsForReviewInTx, summarizePostEngagement, type SubmitSkip } from '../content/index.js';
import { campaignsPermissions } from './campaigns.permissions.js';
import { deleteCampaignPost, findCampaign, findCampaignPostByPost, insertCampaignPost, updateCampaignRow } from './campaigns.queries.js';
import { assertNotArchived, draftsOfView, loadCampaignDetail, loadCampaignPosts, predictDrafts, requireAccount, requireCampaign } from './campaigns.shared.js';

/**
 * A campaign's posts: link an existing post (with a prediction per network) or unlink one (the post stays),
 * submit the campaign's drafts for review, and predicted against actual performance.
 */

/**
 * Change which posts belong to an editable campaign of the account, in one transaction: the campaign is
 * locked, the change made, the campaign marked changed, and its detail returned (audited with the post).
 */
async function changeCampaignPosts(
  ctx: ServiceContext,
  id: string,
  postId: string,
  change: (tx: Tx, scope: { tenantId: string; accountId: string }) => Promise<void>,
): Promise<CampaignDetail> {
  assertCan(ctx, campaignsPermissions.write);
  const scope = { tenantId: requireTenant(ctx), accountId: requireAccount(ctx) };
  const detail = await withTenant(ctx, async (tx) => {
    assertNotArchived(await requireCampaign(tx, id, scope.accountId, { lock: true }));
    await change(tx, scope);
    await updateCampaignRow(tx, id, {}, requireActor(ctx).userId);
    return loadCampaignDetail(tx, (await findCampaign(tx, id))!);
  });
  ctx.audit.targetType = 'campaign';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { postId };
  return detail;
}

/** Link a post of the account: role 'linked', predicted per network of its destinations at its planned time. */
export async function linkCampaignPost(ctx: ServiceContext, id: string, postId: string): Promise<CampaignDetail> {
  assertCan(ctx, contentPermissions.read);
  return changeCampaignPosts(ctx, id, postId, async (tx, { tenantId, accountId }) => {
    const [view] = await listCampaignPostViews(tx, accountId, [postId]);
    if (!view) throw new AppError('not_found', 'post.not_found', 'Post not found.', { errors: [{ path: 'body.postId', message: 'is not a post of this account' }] });
    const existing = await findCampaignPostByPost(tx, postId);
    if (existing?.campaignId === id) throw conflict('campaigns.post_already_linked', 'This post is part of the campaign already.');
    if (existing) {
      const other = await findCampaign(tx, existing.campaignId);
      throw new AppError('conflict', 'campaigns.post_in_other_campaign', `This post belongs to the campaign “${other?.name ?? 'another campaign'}”: unlink it there first.`, { campaignId: existing.campaignId });
    }
    const predicted = await predictDrafts(tx, accountId, draftsOfView(view));
    await insertCampaignPost(tx, { tenantId, campaignId: id, postId, role: 'linked', runId: null, predicted });
  });
}

/** Unlink a post (generated or linked); the post itself stays in the content studio. */
export async function unlinkCampaignPost(ctx: ServiceContext, id: string, postId: string): Promise<CampaignDetail> {
  return changeCampaignPosts(ctx, id, postId, async (tx) => {
    if (!(await deleteCampaignPost(tx, id, postId))) throw new AppError('not_found', 'campaigns.post_not_linked', 'This post is not part of the campaign.');
  });
}

/**
 * Submit the campaign's drafts (all its posts in draft, or the listed ones) for review in the content
 * studio. Each one that cannot be submitted is reported with content's reason; the others are in review.
 * Contributors submit only the posts they created (like the editor's submit).
 */
export async function submitCampaignDrafts(ctx: ServiceContext, id: string, body: SubmitCampaignDraftsBody): Promise<SubmitCampaignDraftsResult> {
  assertCan(ctx, campaignsPermissions.write);
  assertCan(ctx, contentPermissions.write);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const userId = requireActor(ctx).userId;
  const result = await withTenant(ctx, async (tx) => {
    const campaign = await requireCampaign(tx, id, accountId, { lock: true });
    assertNotArchived(campaign);
    const posts = await loadCampaignPosts(tx, campaign);
    const linked = new Set(posts.map(({ link }) => link.postId));
    const requested = body.postIds ? [...new Set(body.postIds)] : posts.filter(({ view }) => view.status === 'draft').map(({ link }) => link.postId);
    const outside: SubmitSkip[] = requested.filter((postId) => !linked.has(postId)).map((postId) => ({ postId, code: 'campaigns.post_not_linked', message: 'This post is not part of the campaign.' }));
    const actor = { tenantId, accountId, userId, config: ctx.config, othersAllowed: can(ctx, contentPermissions.schedule) };
    const submitted = await submitPostsForReviewInTx(tx, actor, requested.filter((postId) => linked.has(postId)));
    return { submitted: submitted.submitted, skipped: [...outside, ...submitted.skipped] };
  });
  ctx.audit.targetType = 'campaign';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { submitted: result.submitted.length, skipped: result.skipped.length };
  return result;
}

const rateOf = (interactions: number, impressions: number) => (impressions > 0 ? interactions / impressions : null);
const round = (value: number | null) => (value === null ? null : Number(value.toFixed(6)));

/**
 * Predicted against actual per post and network (actual: the latest engagement of the post's published
 * targets; rate = interactions / impressions, interactions = likes + comments + shares + clicks), totals,
 * and progress towards each KPI. Predicted rates are per impression; a prediction made as a count (an
 * account whose history lacks impressions) is not comparable and shows as null.
 */
export async function getCampaignPerformance(ctx: ServiceContext, id: string): Promise<CampaignPerformance> {
  assertCan(ctx, campaignsPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => {
    const campaign = await requireCampaign(tx, id, accountId);
    const posts = await loadCampaignPosts(tx, campaign);
    const engagement = await summarizePostEngagement(tx, posts.map(({ link }) => link.postId));
    const rows: CampaignPerformance['posts'] = [];
    const publishedPosts = new Set<string>();
    for (const { link, view } of posts) {
      const networks = [...new Set([...view.networks, ...link.predicted.map((prediction) => prediction.network)])].sort();
      for (const network of networks) {
        const prediction = link.predicted.find((candidate) => candidate.network === network);
        const actual = engagement.find((candidate) => candidate.postId === link.postId && candidate.network === network);
        const interactions = actual ? actual.likes + actual.comments + actual.shares + actual.clicks : 0;
        if (actual && actual.published > 0) publishedPosts.add(link.postId);
        rows.push({
          postId: link.postId,
          network: network as CampaignPerformance['posts'][number]['network'],
          status: view.status,
          predictedRate: prediction && prediction.scoreKind === 'per_impression' ? Number(prediction.rate) : null,
          actualRate: actual && actual.measured > 0 ? round(rateOf(interactions, actual.impressions)) : null,
          impressions: actual?.impressions ?? 0,
          interactions,
        });
      }
    }
    const sum = (pick: (entry: (typeof engagement)[number]) => number) => engagement.reduce((total, entry) => total + pick(entry), 0);
    const totals = {
      postsPublished: publishedPosts.size,
      impressions: sum((entry) => entry.impressions),
      likes: sum((entry) => entry.likes),
      comments: sum((entry) => entry.comments),
      shares: sum((entry) => entry.shares),
      clicks: sum((entry) => entry.clicks),
      interactions: sum((entry) => entry.likes + entry.comments + entry.shares + entry.clicks),
      engagementRate: null as number | null,
      predictedEngagementRate: null as number | null,
    };
    totals.engagementRate = round(rateOf(totals.interactions, totals.impressions));
    const predictedRates = rows.map((row) => row.predictedRate).filter((rate): rate is number => rate !== null);
    totals.predictedEngagementRate = predictedRates.length > 0 ? round(predictedRates.reduce((total, rate) => total + rate, 0) / predictedRates.length) : null;
    const actualOf: Record<CampaignKpiMetric, number> = {
      impressions: totals.impressions,
      likes: totals.likes,
      comments: totals.comments,
      shares: totals.shares,
      clicks: totals.clicks,
      interactions: totals.interactions,
      engagement_rate: totals.engagementRate ?? 0,
      posts_published: totals.postsPublished,
    };
    const kpis = campaign.kpis.map((kpi) => ({ ...kpi, actual: actualOf[kpi.metric], progress: kpi.target > 0 ? round(actualOf[kpi.metric] / kpi.target) : null }));
    return { campaignId: campaign.id, posts: rows, totals, kpis };
  });
}
