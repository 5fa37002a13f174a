import type { Tx } from '../../../kernel/db/database.js';
import { getAccountTimezone, listPublishedPosts, listTrainablePairs, type PublishedPost } from '../../publishing/index.js';
import { followerProxyDays, lookbackDays, maxSamples, modelThreshold } from './defaults.js';
import { featureNames, featureRow, quantile } from './features.js';
import { deleteModelsExcept, upsertModel, type StoredModel } from './models.queries.js';
import { fitRidge } from './ridge.js';

const dayMs = 86_400_000;

export type TrainedModel = Omit<StoredModel, 'trainedAt'>;

/** Per impression when every post has impressions (as content's best times decide), the plain count otherwise. */
export function scoreKindOf(posts: PublishedPost[]): StoredModel['scoreKind'] {
  return posts.every((post) => (post.impressions ?? 0) > 0) ? 'per_impression' : 'count';
}

export function outcomeOf(post: PublishedPost, kind: StoredModel['scoreKind']): number {
  return kind === 'per_impression' ? post.engagement / post.impressions! : post.engagement;
}

/**
 * The follower proxy of each post (design §5): the median impressions of the account's posts on the network
 * in the 30 days before it; `fallback` (the median of all) when that window has none.
 */
function followerProxies(posts: PublishedPost[]): { proxies: number[]; fallback: number } {
  const rated = posts.filter((post) => (post.impressions ?? 0) > 0);
  const fallback = rated.length > 0 ? quantile(rated.map((post) => post.impressions!), 0.5) : 0;
  const window = followerProxyDays * dayMs;
  const proxies = posts.map((post) => {
    const time = post.publishedAt.getTime();
    const before = rated.filter((other) => other.publishedAt.getTime() < time && other.publishedAt.getTime() >= time - window).map((other) => other.impressions!);
    return before.length > 0 ? quantile(before, 0.5) : fallback;
  });
  return { proxies, fallback };
}

/** Fit the model of (account, network) from its history, without storing it; null below the threshold. */
export async function fitAccountModel(tx: Tx, input: { accountId: string; network: string; now?: Date }): Promise<TrainedModel | null> {
  const now = input.now ?? new Date();
  const posts = await listPublishedPosts(tx, { accountId: input.accountId, network: input.network, since: new Date(now.getTime() - lookbackDays * dayMs), limit: maxSamples });
  if (posts.length < modelThreshold) return null;
  const timeZone = (await getAccountTimezone(tx, input.accountId)) ?? 'UTC';
  const scoreKind = scoreKindOf(posts);
  const { proxies, fallback } = followerProxies(posts);
  const rows = posts.map((post, index) => featureRow({ text: post.text, at: post.publishedAt, mediaCount: post.mediaCount, hasLink: post.hasLink }, { timeZone, followerProxy: proxies[index]! }));
  const model = fitRidge(
    rows,
    posts.map((post) => outcomeOf(post, scoreKind)),
  );
  return { ...model, accountId: input.accountId, network: input.network, scoreKind, featureNames: [...featureNames], followerProxyDefault: fallback };
}

export type TrainingSummary = { trained: Array<{ accountId: string; network: string; n: number; r2: number; looR2: number }>; removed: number };

/**
 * Retrain every (account, network) of the current tenant that has enough history and store the models;
 * models of pairs that fell below the threshold are removed. Idempotent: a rerun rewrites the same rows.
 */
export async function trainTenantPredictors(tx: Tx, tenantId: string, now = new Date()): Promise<TrainingSummary> {
  const pairs = await listTrainablePairs(tx, new Date(now.getTime() - lookbackDays * dayMs));
  const trained: TrainingSummary['trained'] = [];
  for (const pair of pairs.filter((candidate) => candidate.samples >= modelThreshold)) {
    const model = await fitAccountModel(tx, { accountId: pair.accountId, network: pair.network, now });
    if (!model) continue;
    await upsertModel(tx, tenantId, model);
    trained.push({ accountId: model.accountId, network: model.network, n: model.n, r2: model.r2, looR2: model.looR2 });
  }
  const removed = await deleteModelsExcept(tx, trained);
  return { trained, removed };
}
