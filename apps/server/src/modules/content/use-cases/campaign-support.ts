import { createPostBodySchema, resolveVariant, type ContentNetwork, type PostSummary, type ValidationIssue } from '@omni/contracts/content';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { isAppError } from '../../../kernel/errors.js';
import { getLatestEngagement, getTargetStatuses } from '../../publishing/index.js';
import { listSchedulableConnections } from '../../social/index.js';
import { selectPostsByIds, selectPostTargets, selectVariantsOfPosts } from '../content.queries.js';
import { toPostSummary } from './post-state.js';
import { createPostInTx, submitPostInTx, type ContentWriter } from './posts.js';
import { checkPost } from './validation.js';

/**
 * What the campaigns module needs of content, in the caller's transaction and without permission checks
 * (campaigns authorized): drafts made from a strategist's post drafts, submitting a campaign's drafts for
 * review, post summaries with the text each network would get, and the engagement of a post's targets.
 */

/** A post draft for a campaign: the base text on one network, planned at a time, with its origin. */
export type CampaignDraftInput = {
  title: string;
  text: string;
  network: ContentNetwork;
  plannedAt: string | null;
  tags: string[];
  /** Stored on the post as its source, e.g. {kind: 'campaign', campaignId, runId}. */
  source: Record<string, unknown>;
  /** The note of revision 1. */
  note: string;
};

const maxDestinations = 50;

/**
 * A draft post (revision 1 by `writer.userId`) whose destinations are the account's active connections on
 * the draft's network. Without one the post is created without destination: its issue (content.no_destination)
 * shows in the editor and submitting it is refused until a connection is chosen.
 */
export async function createCampaignDraftInTx(tx: Tx, writer: ContentWriter, draft: CampaignDraftInput): Promise<{ postId: string; destinations: number; issues: ValidationIssue[] }> {
  const connections = (await listSchedulableConnections(tx, writer.accountId)).filter((connection) => connection.network === draft.network && connection.status === 'active');
  const { templateId, ...input } = createPostBodySchema.parse({
    title: draft.title.slice(0, 200),
    baseText: draft.text.slice(0, 70_000),
    tags: draft.tags,
    plannedAt: draft.plannedAt,
    destinations: connections.slice(0, maxDestinations).map((connection) => connection.id),
  });
  const state = await createPostInTx(tx, writer, { ...input, templateId, source: draft.source, note: draft.note.slice(0, 300) });
  return { postId: state.post.id, destinations: state.destinations.length, issues: await checkPost(tx, state) };
}

export type SubmitSkip = { postId: string; code: string; message: string };

/**
 * Submit posts for review one by one (content's normal review: an internal approvals request each). A post
 * that is not the account's, not a draft, invalid, or (when `othersAllowed` is false) someone else's is
 * skipped with the code and message content would answer with; nothing is written for it.
 */
export async function submitPostsForReviewInTx(
  tx: Tx,
  actor: ContentWriter & { config: Config; othersAllowed: boolean },
  postIds: string[],
): Promise<{ submitted: string[]; skipped: SubmitSkip[] }> {
  const submitted: string[] = [];
  const skipped: SubmitSkip[] = [];
  const posts = new Map((await selectPostsByIds(tx, actor.accountId, postIds)).map((post) => [post.id, post]));
  for (const postId of postIds) {
    const post = posts.get(postId);
    if (!post) {
      skipped.push({ postId, code: 'post.not_found', message: 'Post not found.' });
      continue;
    }
    if (!actor.othersAllowed && post.createdBy !== actor.userId) {
      skipped.push({ postId, code: 'auth.forbidden', message: 'Contributors submit only the posts they created.' });
      continue;
    }
    try {
      // Every refusal of submitPostInTx is thrown before it writes anything, so the transaction stays usable.
      await submitPostInTx(tx, actor, postId);
      submitted.push(postId);
    } catch (error) {
      if (!isAppError(error)) throw error;
      const issues = (error.details.issues as ValidationIssue[] | undefined) ?? [];
      const why = issues.length > 0 ? ` ${issues.map((issue) => issue.message).join(' ')}` : '';
      skipped.push({ postId, code: error.code, message: `${error.message}${why}` });
    }
  }
  return { submitted, skipped };
}

/** A post as a campaign shows it, with what each of its networks would get (for predictions). */
export type CampaignPostView = PostSummary & {
  source: Record<string, unknown> | null;
  /** One per network of the destinations: the variant (A of an A/B test) resolved against the base. */
  drafts: Array<{ network: string; text: string; mediaCount: number; hasLink: boolean }>;
};

const linkPattern = /\bhttps?:\/\/\S+/i;

/** Posts of the account by id (unknown ones left out), in no particular order. */
export async function listCampaignPostViews(tx: Tx, accountId: string, postIds: string[]): Promise<CampaignPostView[]> {
  const posts = await selectPostsByIds(tx, accountId, [...new Set(postIds)]);
  const variants = await selectVariantsOfPosts(tx, posts.map((post) => post.id));
  return posts.map((post) => ({
    ...toPostSummary(post),
    source: post.source,
    drafts: post.networks.map((network) => {
      const variant = variants.find((candidate) => candidate.postId === post.id && candidate.network === network && candidate.abLabel !== 'B') ?? null;
      const resolved = resolveVariant(post, variant);
      return { network, text: resolved.text, mediaCount: resolved.media.length, hasLink: resolved.link !== null || linkPattern.test(resolved.text) };
    }),
  }));
}

/** Engagement of a post on one network: its targets, how many went out, and their latest metrics summed. */
export type PostNetworkEngagement = {
  postId: string;
  network: string;
  targets: number;
  published: number;
  /** Published targets with at least one metrics snapshot. */
  measured: number;
  impressions: number;
  likes: number;
  comments: number;
  shares: number;
  clicks: number;
};

/** Per post and network, from publishing's target statuses and latest engagement snapshots (three queries). */
export async function summarizePostEngagement(tx: Tx, postIds: string[]): Promise<PostNetworkEngagement[]> {
  if (postIds.length === 0) return [];
  const targets = await selectPostTargets(tx, { postIds: [...new Set(postIds)] });
  const statuses = await getTargetStatuses(tx, targets.map((target) => target.targetId));
  const published = new Set(statuses.filter((status) => status.status === 'published').map((status) => status.id));
  const metrics = new Map((await getLatestEngagement(tx, [...published])).map((snapshot) => [snapshot.targetId, snapshot]));
  const summaries = new Map<string, PostNetworkEngagement>();
  for (const target of targets) {
    const key = `${target.postId}/${target.network}`;
    const summary = summaries.get(key) ?? { postId: target.postId, network: target.network, targets: 0, published: 0, measured: 0, impressions: 0, likes: 0, comments: 0, shares: 0, clicks: 0 };
    summaries.set(key, summary);
    summary.targets += 1;
    if (!published.has(target.targetId)) continue;
    summary.published += 1;
    const snapshot = metrics.get(target.targetId);
    if (!snapshot) continue;
    summary.measured += 1;
    summary.impressions += snapshot.impressions ?? 0;
    summary.likes += snapshot.likes ?? 0;
    summary.comments += snapshot.comments ?? 0;
    summary.shares += snapshot.shares ?? 0;
    summary.clicks += snapshot.clicks ?? 0;
  }
  return [...summaries.values()];
}
