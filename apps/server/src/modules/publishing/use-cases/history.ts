import { sql } from 'drizzle-orm';
import type { Tx } from '../../../kernel/db/database.js';

/**
 * Published history for learning (the ai module's performance predictor): each published target with what
 * was sent and its latest engagement snapshot. Engagement is defined as in summarizeEngagementByHour
 * (content's best times): each target once, with its latest snapshot; likes + comments + shares + clicks
 * (missing counts as 0); a rate divides by impressions.
 */

export type PublishedPost = {
  targetId: string;
  publishedAt: Date;
  text: string;
  mediaCount: number;
  hasLink: boolean;
  engagement: number;
  impressions: number | null;
};

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

const latestSnapshots = (input: { accountId: string; network: string; since: Date }) => sql`
  SELECT DISTINCT ON (m.target_id)
         t.id AS target_id, t.published_at, t.content,
         coalesce(m.likes, 0) + coalesce(m.comments, 0) + coalesce(m.shares, 0) + coalesce(m.clicks, 0) AS engagement,
         m.impressions
    FROM publish_targets t JOIN engagement_metrics m ON m.target_id = t.id
   WHERE t.account_id = ${input.accountId} AND t.network = ${input.network} AND t.status = 'published'
     AND t.published_at >= ${input.since.toISOString()}::timestamptz
   ORDER BY m.target_id, m.collected_at DESC, m.id DESC`;

/** The account's published posts on a network since `since` that have metrics, the newest `limit`, oldest first. */
export async function listPublishedPosts(tx: Tx, input: { accountId: string; network: string; since: Date; limit: number }): Promise<PublishedPost[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT * FROM (SELECT * FROM (${latestSnapshots(input)}) latest ORDER BY published_at DESC, target_id LIMIT ${input.limit}) recent
     ORDER BY published_at, target_id`);
  return rows.rows.map((row) => {
    const content = (row.content ?? {}) as { text?: unknown; media?: unknown; link?: unknown };
    return {
      targetId: row.target_id as string,
      publishedAt: asDate(row.published_at),
      text: typeof content.text === 'string' ? content.text : '',
      mediaCount: Array.isArray(content.media) ? content.media.length : 0,
      hasLink: typeof content.link === 'string' && content.link.length > 0,
      engagement: Number(row.engagement),
      impressions: row.impressions === null || row.impressions === undefined ? null : Number(row.impressions),
    };
  });
}

export type HistorySummary = {
  /** Published posts with metrics since `since` (capped at the training limit by the caller). */
  samples: number;
  /** Whether every one of them has impressions (then rates are per impression). */
  isRated: boolean;
  /** Median impressions of those published since `proxySince`, null when none has impressions. */
  recentMedianImpressions: number | null;
};

/** Counts for the fallback and staleness decisions, one query. */
export async function summarizeHistory(tx: Tx, input: { accountId: string; network: string; since: Date; proxySince: Date }): Promise<HistorySummary> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT count(*)::int AS samples,
           coalesce(bool_and(coalesce(impressions, 0) > 0), true) AS rated,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY impressions)
             FILTER (WHERE impressions > 0 AND published_at >= ${input.proxySince.toISOString()}::timestamptz) AS recent_median
      FROM (${latestSnapshots(input)}) latest`);
  const row = rows.rows[0]!;
  return {
    samples: Number(row.samples),
    isRated: Boolean(row.rated),
    recentMedianImpressions: row.recent_median === null || row.recent_median === undefined ? null : Number(row.recent_median),
  };
}

/** The tenant's (account, network) pairs with published posts that have metrics since `since`. */
export async function listTrainablePairs(tx: Tx, since: Date): Promise<Array<{ accountId: string; network: string; samples: number }>> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT t.account_id, t.network, count(DISTINCT t.id)::int AS samples
      FROM publish_targets t
     WHERE t.status = 'published' AND t.published_at >= ${since.toISOString()}::timestamptz
       AND EXISTS (SELECT 1 FROM engagement_metrics m WHERE m.target_id = t.id)
     GROUP BY t.account_id, t.network
     ORDER BY t.account_id, t.network`);
  return rows.rows.map((row) => ({ accountId: row.account_id as string, network: row.network as string, samples: Number(row.samples) }));
}

/** Tenants with published posts that have metrics since `since` (cross-tenant: the caller holds system access). */
export async function listTenantsWithHistory(tx: Tx, since: Date): Promise<string[]> {
  const rows = await tx.execute<{ tenant_id: string }>(sql`
    SELECT DISTINCT t.tenant_id FROM publish_targets t
     WHERE t.status = 'published' AND t.published_at >= ${since.toISOString()}::timestamptz
       AND EXISTS (SELECT 1 FROM engagement_metrics m WHERE m.target_id = t.id)
     ORDER BY t.tenant_id`);
  return rows.rows.map((row) => row.tenant_id);
}
