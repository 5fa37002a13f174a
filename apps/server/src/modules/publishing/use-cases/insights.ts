import { isKnownTimeZone } from '@omni/contracts/time';
import { sql } from 'drizzle-orm';
import { isUuid, type Tx } from '../../../kernel/db/database.js';
import { badRequest } from '../../../kernel/errors.js';

/**
 * Engagement read for other modules (content's A/B comparison and best times), in the caller's
 * transaction, without this module's permission checks (the caller authorized).
 */

export type LatestEngagement = {
  targetId: string;
  collectedAt: string;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  impressions: number | null;
  clicks: number | null;
};

const count = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const uuidArray = (values: string[]) => sql`${`{${values.join(',')}}`}::uuid[]`;

/** The latest engagement snapshot of each target that has one (one query). */
export async function getLatestEngagement(tx: Tx, targetIds: string[]): Promise<LatestEngagement[]> {
  const ids = [...new Set(targetIds.filter(isUuid))];
  if (ids.length === 0) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT DISTINCT ON (target_id) target_id, collected_at, likes, comments, shares, impressions, clicks
      FROM engagement_metrics WHERE target_id = ANY(${uuidArray(ids)})
     ORDER BY target_id, collected_at DESC, id DESC`);
  return rows.rows.map((row) => ({
    targetId: row.target_id as string,
    collectedAt: new Date(String(row.collected_at)).toISOString(),
    likes: count(row.likes),
    comments: count(row.comments),
    shares: count(row.shares),
    impressions: count(row.impressions),
    clicks: count(row.clicks),
  }));
}

export type EngagementBucket = {
  network: string;
  /** 0 = Sunday … 6 = Saturday, of the publish time in the requested zone. */
  weekday: number;
  /** 0–23, of the publish time in the requested zone. */
  hour: number;
  /** Published targets with metrics in this bucket. */
  samples: number;
  /** Mean engagement score of those targets (see `scoreKind`). */
  meanScore: number;
  /**
   * per_impression: (likes + comments + shares + clicks) / impressions, used when every sample of the
   * network has impressions; count: the plain sum otherwise.
   */
  scoreKind: 'per_impression' | 'count';
};

/**
 * Engagement per (network, weekday, hour) of the account's published targets since `since`, the hour and
 * weekday read in `timeZone` (so "Tuesday 09:00" means 09:00 on the account's clock, across DST). Each
 * target counts once, with its latest snapshot; engagement is likes + comments + shares + clicks (missing
 * counts as 0), divided by impressions when every sample of that network has impressions.
 */
export async function summarizeEngagementByHour(
  tx: Tx,
  input: { accountId: string; network?: string; since: Date; timeZone: string },
): Promise<EngagementBucket[]> {
  if (!isKnownTimeZone(input.timeZone)) {
    throw badRequest('publishing.unknown_timezone', `Unknown time zone "${input.timeZone}".`, [{ path: 'timeZone', message: 'is not an IANA time zone' }]);
  }
  if (!isUuid(input.accountId)) return [];
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH latest AS (
      SELECT DISTINCT ON (m.target_id)
             t.network, t.published_at,
             coalesce(m.likes, 0) + coalesce(m.comments, 0) + coalesce(m.shares, 0) + coalesce(m.clicks, 0) AS engagement,
             m.impressions
        FROM publish_targets t JOIN engagement_metrics m ON m.target_id = t.id
       WHERE t.account_id = ${input.accountId} AND t.status = 'published' AND t.published_at >= ${input.since.toISOString()}::timestamptz
             ${input.network ? sql`AND t.network = ${input.network}` : sql``}
       ORDER BY m.target_id, m.collected_at DESC, m.id DESC
    ), networks AS (
      SELECT network, bool_and(coalesce(impressions, 0) > 0) AS rated FROM latest GROUP BY network
    )
    SELECT l.network,
           extract(dow FROM l.published_at AT TIME ZONE ${input.timeZone})::int AS weekday,
           extract(hour FROM l.published_at AT TIME ZONE ${input.timeZone})::int AS hour,
           count(*)::int AS samples,
           avg(CASE WHEN n.rated THEN l.engagement::float8 / l.impressions ELSE l.engagement::float8 END) AS mean_score,
           bool_and(n.rated) AS rated
      FROM latest l JOIN networks n ON n.network = l.network
     GROUP BY l.network, 2, 3
     ORDER BY l.network, 2, 3`);
  return rows.rows.map((row) => ({
    network: row.network as string,
    weekday: Number(row.weekday),
    hour: Number(row.hour),
    samples: Number(row.samples),
    meanScore: Number(row.mean_score),
    scoreKind: row.rated ? 'per_impression' : 'count',
  }));
}
