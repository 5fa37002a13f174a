import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * Read-only queries of the calendar (design §7.1): what is planned in a time range across the content
 * tables. Writes stay in content.queries.ts.
 */

export type CalendarRow = {
  postId: string;
  accountId: string;
  occurrenceId: string | null;
  at: Date;
  status: string;
  title: string | null;
  baseText: string;
  reviewStage: 'internal' | 'client' | null;
  tags: string[];
  networks: string[];
  isRecurring: boolean;
  abNetwork: string | null;
  abGapMinutes: number | null;
  abWinner: 'A' | 'B' | null;
};

export type CalendarFilter = {
  accountIds: string[];
  from: Date;
  to: Date;
  networks?: string[];
  connectionIds?: string[];
  statuses?: string[];
  tags?: string[];
};

/** Post statuses shown at their planned time while the post has no live occurrence. */
const unscheduledStatuses = ['draft', 'in_review', 'changes_requested', 'rejected', 'approved'];

const literalArray = (values: string[], type: 'text' | 'uuid') =>
  sql`${`{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::${sql.raw(type)}[]`;

/**
 * Occurrences (not cancelled) and not-yet-scheduled posts with a planned time in [from, to), sorted by
 * time. Without a status filter, rejected posts are left out (they will not go out).
 */
export async function selectCalendarRows(tx: Tx, filter: CalendarFilter): Promise<CalendarRow[]> {
  const accounts = literalArray(filter.accountIds, 'uuid');
  const from = sql`${filter.from.toISOString()}::timestamptz`;
  const to = sql`${filter.to.toISOString()}::timestamptz`;
  const conditions: SQL[] = [];
  if (filter.statuses?.length) conditions.push(sql`i.status = ANY(${literalArray(filter.statuses, 'text')})`);
  else conditions.push(sql`i.status <> 'rejected'`);
  if (filter.tags?.length) conditions.push(sql`p.tags && ${literalArray(filter.tags, 'text')}`);
  if (filter.networks?.length) {
    conditions.push(sql`EXISTS (SELECT 1 FROM post_destinations d WHERE d.post_id = p.id AND d.network = ANY(${literalArray(filter.networks, 'text')}))`);
  }
  if (filter.connectionIds?.length) {
    const connections = literalArray(filter.connectionIds, 'uuid');
    conditions.push(sql`(EXISTS (SELECT 1 FROM post_destinations d WHERE d.post_id = p.id AND d.connection_id = ANY(${connections}))
      OR EXISTS (SELECT 1 FROM post_targets t WHERE t.occurrence_id = i.occurrence_id AND t.connection_id = ANY(${connections})))`);
  }
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH items AS (
      SELECT o.post_id, o.id AS occurrence_id, o.occurs_at AS at, o.status::text AS status
        FROM post_occurrences o JOIN posts p ON p.id = o.post_id
       WHERE p.account_id = ANY(${accounts}) AND o.occurs_at >= ${from} AND o.occurs_at < ${to} AND o.status <> 'cancelled'
      UNION ALL
      SELECT p.id, NULL::uuid, p.planned_at, p.status::text
        FROM posts p
       WHERE p.account_id = ANY(${accounts}) AND p.planned_at >= ${from} AND p.planned_at < ${to}
         AND p.status = ANY(${literalArray(unscheduledStatuses, 'text')})
         AND NOT EXISTS (SELECT 1 FROM post_occurrences o WHERE o.post_id = p.id AND o.status <> 'cancelled')
    )
    SELECT i.post_id, i.occurrence_id, i.at, i.status, p.account_id, p.title, p.base_text, p.review_stage, p.tags,
           p.recurrence_rule IS NOT NULL AS is_recurring, p.ab_network, p.ab_gap_minutes,
           (SELECT v.ab_label FROM post_variants v WHERE v.id = p.ab_winner_variant_id) AS ab_winner,
           coalesce((SELECT array_agg(DISTINCT d.network ORDER BY d.network) FROM post_destinations d WHERE d.post_id = p.id), '{}') AS networks
      FROM items i JOIN posts p ON p.id = i.post_id
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY i.at, i.post_id, i.occurrence_id`);
  return rows.rows.map((row) => ({
    postId: row.post_id as string,
    accountId: row.account_id as string,
    occurrenceId: (row.occurrence_id as string | null) ?? null,
    at: new Date(String(row.at)),
    status: row.status as string,
    title: (row.title as string | null) ?? null,
    baseText: row.base_text as string,
    reviewStage: (row.review_stage as CalendarRow['reviewStage']) ?? null,
    tags: (row.tags as string[]) ?? [],
    networks: (row.networks as string[]) ?? [],
    isRecurring: Boolean(row.is_recurring),
    abNetwork: (row.ab_network as string | null) ?? null,
    abGapMinutes: row.ab_gap_minutes === null || row.ab_gap_minutes === undefined ? null : Number(row.ab_gap_minutes),
    abWinner: (row.ab_winner as CalendarRow['abWinner']) ?? null,
  }));
}

/** Where not-yet-scheduled posts would go: each variant (network, A/B label) and each destination. */
export async function selectPlannedPlacements(
  tx: Tx,
  postIds: string[],
): Promise<Map<string, { variants: Array<{ network: string; abLabel: 'A' | 'B' | null }>; destinations: Array<{ connectionId: string; network: string }> }>> {
  const result = new Map<string, { variants: Array<{ network: string; abLabel: 'A' | 'B' | null }>; destinations: Array<{ connectionId: string; network: string }> }>();
  if (postIds.length === 0) return result;
  const ids = literalArray(postIds, 'uuid');
  const rows = await tx.execute<{ post_id: string; kind: 'variant' | 'destination'; network: string; ab_label: 'A' | 'B' | null; connection_id: string | null }>(sql`
    SELECT post_id, 'variant' AS kind, network, ab_label, NULL::uuid AS connection_id FROM post_variants WHERE post_id = ANY(${ids})
    UNION ALL
    SELECT post_id, 'destination', network, NULL, connection_id FROM post_destinations WHERE post_id = ANY(${ids})`);
  for (const row of rows.rows) {
    const entry = result.get(row.post_id) ?? { variants: [], destinations: [] };
    if (row.kind === 'variant') entry.variants.push({ network: row.network, abLabel: row.ab_label });
    else entry.destinations.push({ connectionId: row.connection_id!, network: row.network });
    result.set(row.post_id, entry);
  }
  return result;
}
