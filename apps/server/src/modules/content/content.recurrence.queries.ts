import { sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * Reads and writes of the recurrence and A/B columns of `posts` (recurrence_rule, recurrence_timezone,
 * recurrence_materialized_until, ab_winner_variant_id, ab_decided_at, ab_decided_by, ab_result), beside content.queries.ts, which owns
 * the rest of the content tables.
 */

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** Set or clear a post's recurrence (null: a one-off post). */
export async function updatePostRecurrence(tx: Tx, postId: string, recurrence: { rule: string; timeZone: string } | null): Promise<void> {
  await tx.execute(sql`
    UPDATE posts SET recurrence_rule = ${recurrence?.rule ?? null}, recurrence_timezone = ${recurrence?.timeZone ?? null}, updated_at = now() WHERE id = ${postId}`);
}

/**
 * Record that the series' rule is materialized up to `until` (its latest instant made into an occurrence):
 * the extension job goes on after it, whatever happened to the occurrences since (moved, cancelled).
 */
export async function updateSeriesMaterializedUntil(tx: Tx, postId: string, until: Date): Promise<void> {
  await tx.execute(sql`UPDATE posts SET recurrence_materialized_until = ${until.toISOString()}::timestamptz WHERE id = ${postId}`);
}

/** A scheduled series not materialized up to `until` (never materialized: from its planned time). */
const dueSeries = (until: Date) => sql`p.status = 'scheduled' AND p.recurrence_rule IS NOT NULL
       AND coalesce(p.recurrence_materialized_until, p.planned_at) < ${until.toISOString()}::timestamptz`;

/** Tenants with a scheduled series not materialized up to `until` yet (cross-tenant: the caller holds system access). */
export async function selectTenantsWithDueSeries(tx: Tx, until: Date): Promise<string[]> {
  const rows = await tx.execute<{ tenant_id: string }>(sql`
    SELECT DISTINCT p.tenant_id FROM posts p WHERE ${dueSeries(until)} ORDER BY p.tenant_id`);
  return rows.rows.map((row) => row.tenant_id);
}

export type DueSeries = { postId: string; accountId: string; materializedUntil: Date | null };

/** The tenant's scheduled series not materialized up to `until`, locked (a concurrent run skips them). */
export async function selectDueSeries(tx: Tx, until: Date): Promise<DueSeries[]> {
  const rows = await tx.execute<{ id: string; account_id: string; materialized_until: string | null }>(sql`
    SELECT p.id, p.account_id, p.recurrence_materialized_until AS materialized_until
      FROM posts p
     WHERE ${dueSeries(until)}
     ORDER BY p.id
       FOR UPDATE OF p SKIP LOCKED`);
  return rows.rows.map((row) => ({ postId: row.id, accountId: row.account_id, materializedUntil: row.materialized_until ? asDate(row.materialized_until) : null }));
}

export type AbRow = {
  postId: string;
  accountId: string;
  createdBy: string | null;
  abNetwork: string | null;
  winnerVariantId: string | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  result: unknown;
};

/** A post's A/B columns (null when there is no such post in the account), optionally locked. */
export async function findAbState(tx: Tx, postId: string, options: { accountId?: string; lock?: boolean } = {}): Promise<AbRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT id, account_id, created_by, ab_network, ab_winner_variant_id, ab_decided_at, ab_decided_by, ab_result FROM posts
     WHERE id = ${postId}${options.accountId ? sql` AND account_id = ${options.accountId}` : sql``}${options.lock ? sql` FOR UPDATE` : sql``}`);
  const row = rows.rows[0];
  if (!row) return null;
  return {
    postId: row.id as string,
    accountId: row.account_id as string,
    createdBy: (row.created_by as string | null) ?? null,
    abNetwork: (row.ab_network as string | null) ?? null,
    winnerVariantId: (row.ab_winner_variant_id as string | null) ?? null,
    decidedAt: row.ab_decided_at ? asDate(row.ab_decided_at) : null,
    decidedBy: (row.ab_decided_by as string | null) ?? null,
    result: row.ab_result ?? null,
  };
}

/** Record the comparison and/or the winner (decidedBy null: the automatic comparison). */
export async function updateAbOutcome(
  tx: Tx,
  postId: string,
  change: { winnerVariantId: string | null; decidedBy: string | null; result?: unknown },
): Promise<void> {
  await tx.execute(sql`
    UPDATE posts SET ab_winner_variant_id = ${change.winnerVariantId}, ab_decided_at = now(), ab_decided_by = ${change.decidedBy},
           ${change.result === undefined ? sql`` : sql`ab_result = ${JSON.stringify(change.result)}::jsonb, `}updated_at = now()
     WHERE id = ${postId}`);
}

/** Only the comparison (a person already chose the winner: their choice stands). */
export async function updateAbResult(tx: Tx, postId: string, result: unknown): Promise<void> {
  await tx.execute(sql`UPDATE posts SET ab_result = ${JSON.stringify(result)}::jsonb, updated_at = now() WHERE id = ${postId}`);
}

/** Forget the (cancelled) targets of an occurrence that is scheduled again; publishing keeps their history. */
export async function deletePostTargetsOfOccurrence(tx: Tx, occurrenceId: string): Promise<void> {
  await tx.execute(sql`DELETE FROM post_targets WHERE occurrence_id = ${occurrenceId}`);
}
