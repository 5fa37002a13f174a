import type { AiRun } from '@omni/contracts/ai';
import type { Campaign, CampaignDetail, CampaignPost } from '@omni/contracts/campaigns';
import type { Tx } from '../../kernel/db/database.js';
import { isUuid } from '../../kernel/db/database.js';
import { AppError, conflict, notFound } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { getAgentRuns, predictPerformance } from '../ai/index.js';
import { listCampaignPostViews, type CampaignPostView } from '../content/index.js';
import { findCampaign, selectCampaignPosts, type CampaignPostRow, type CampaignRow } from './campaigns.queries.js';

/** Helpers the campaign use cases share: the active account, loading and guarding a campaign, predictions, DTOs. */

export function requireAccount(ctx: ServiceContext): string {
  if (!ctx.accountId) throw new AppError('forbidden', 'account.none_active', 'Choose an account first: campaigns belong to an account.');
  return ctx.accountId;
}

/** A campaign of the account, or 404 (another tenant's or account's campaign is not found either). */
export async function requireCampaign(tx: Tx, id: string, accountId: string, options: { lock?: boolean } = {}): Promise<CampaignRow> {
  const campaign = isUuid(id) ? await findCampaign(tx, id, { accountId, lock: options.lock }) : null;
  if (!campaign) throw notFound('Campaign');
  return campaign;
}

/** Archived campaigns are read-only until a status other than archived is set. */
export function assertNotArchived(campaign: CampaignRow): void {
  if (campaign.status === 'archived') throw conflict('campaigns.archived', 'This campaign is archived: set another status to change it again.');
}

/** Run statuses during which a generate-from-brief run is still to be decided. */
export const pendingRunStatuses = new Set(['queued', 'running', 'succeeded', 'awaiting_review']);

export type StoredPrediction = CampaignPostRow['predicted'][number];

/** One prediction per draft (network, text, time), stored with the link; in the caller's transaction. */
export async function predictDrafts(
  tx: Tx,
  accountId: string,
  drafts: Array<{ network: string; text: string; at: Date; mediaCount: number; hasLink: boolean }>,
): Promise<StoredPrediction[]> {
  const predictions: StoredPrediction[] = [];
  for (const draft of drafts) {
    const prediction = await predictPerformance(tx, { accountId, network: draft.network, draft: { text: draft.text, at: draft.at, mediaCount: draft.mediaCount, hasLink: draft.hasLink, hashtags: [] } });
    predictions.push({ network: draft.network, ...prediction });
  }
  return predictions;
}

/** The drafts of a post as content resolves them, each at the post's planned time (now when it has none). */
export function draftsOfView(view: CampaignPostView): Array<{ network: string; text: string; at: Date; mediaCount: number; hasLink: boolean }> {
  const at = view.plannedAt ? new Date(view.plannedAt) : new Date();
  return view.drafts.map((draft) => ({ ...draft, at }));
}

/** The latest runs of many campaigns (one query). */
export async function latestRunsOf(tx: Tx, campaigns: CampaignRow[]): Promise<Map<string, AiRun>> {
  const ids = campaigns.map((campaign) => campaign.latestRunId).filter((id): id is string => id !== null);
  const runs = ids.length > 0 ? await getAgentRuns(tx, ids) : [];
  return new Map(runs.map((run) => [run.id, run]));
}

export function toCampaignDto(row: CampaignRow, runs: Map<string, AiRun>): Campaign {
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    goal: row.goal,
    audience: row.audience,
    channels: row.channels as Campaign['channels'],
    budgetMicros: row.budgetMicros,
    currency: row.currency,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    kpis: row.kpis,
    brief: row.brief,
    status: row.status,
    strategy: row.strategy,
    latestRun: row.latestRunId ? (runs.get(row.latestRunId) ?? null) : null,
    postCount: row.postCount,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The campaign's links with the posts content shows for them, planned ones first in time order. */
export async function loadCampaignPosts(tx: Tx, campaign: CampaignRow): Promise<Array<{ link: CampaignPostRow; view: CampaignPostView }>> {
  const links = await selectCampaignPosts(tx, campaign.id);
  const views = new Map((await listCampaignPostViews(tx, campaign.accountId, links.map((link) => link.postId))).map((view) => [view.id, view]));
  const joined = links.flatMap((link) => {
    const view = views.get(link.postId);
    return view ? [{ link, view }] : [];
  });
  const timeOf = (entry: { link: CampaignPostRow; view: CampaignPostView }) => (entry.view.plannedAt ? Date.parse(entry.view.plannedAt) : Number.POSITIVE_INFINITY);
  return joined.sort((a, b) => timeOf(a) - timeOf(b) || a.link.createdAt.getTime() - b.link.createdAt.getTime());
}

function toCampaignPostDto(link: CampaignPostRow, view: CampaignPostView): CampaignPost {
  return {
    postId: link.postId,
    role: link.role,
    title: view.title,
    excerpt: view.excerpt,
    status: view.status,
    plannedAt: view.plannedAt,
    networks: view.networks,
    predicted: link.predicted as CampaignPost['predicted'],
    createdAt: link.createdAt.toISOString(),
  };
}

/** The detail DTO: the campaign, its latest run and its posts with their predictions. */
export async function loadCampaignDetail(tx: Tx, campaign: CampaignRow): Promise<CampaignDetail> {
  const posts = await loadCampaignPosts(tx, campaign);
  return { ...toCampaignDto(campaign, await latestRunsOf(tx, [campaign])), posts: posts.map(({ link, view }) => toCampaignPostDto(link, view)) };
}
