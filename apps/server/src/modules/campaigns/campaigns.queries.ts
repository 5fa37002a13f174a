import type { CampaignGoal, CampaignKpi, CampaignStatus, CampaignStrategy } from '@omni/contracts/campaigns';
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * The only code that reads or writes the campaigns tables (migrations/0016_campaigns.sql), in the caller's
 * transaction (withTenant: row-level security keeps it to the tenant). Raw SQL; dates come back as text.
 */

export type CampaignFields = {
  name: string;
  goal: CampaignGoal;
  audience: string;
  channels: string[];
  budgetMicros: number | null;
  currency: string;
  startsOn: string;
  endsOn: string;
  kpis: CampaignKpi[];
  brief: string;
};

export type CampaignRow = CampaignFields & {
  id: string;
  tenantId: string;
  accountId: string;
  status: CampaignStatus;
  strategy: CampaignStrategy | null;
  latestRunId: string | null;
  postCount: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type CampaignPostRow = {
  campaignId: string;
  postId: string;
  role: 'generated' | 'linked';
  runId: string | null;
  predicted: Array<Record<string, unknown> & { network: string }>;
  createdAt: Date;
};

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const textArray = (values: string[]) => sql`${`{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;
const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
/** A date column as YYYY-MM-DD, whatever the driver hands back. */
const asDay = (value: unknown): string => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10));

const campaignColumns = sql`c.id, c.tenant_id, c.account_id, c.name, c.goal, c.audience, c.channels, c.budget_micros, c.currency,
  c.starts_on::text AS starts_on, c.ends_on::text AS ends_on, c.kpis, c.status, c.brief, c.strategy, c.latest_run_id, c.created_by, c.created_at, c.updated_at,
  (SELECT count(*) FROM campaign_posts cp WHERE cp.campaign_id = c.id)::int AS post_count`;

function toCampaignRow(row: Record<string, unknown>): CampaignRow {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    accountId: row.account_id as string,
    name: row.name as string,
    goal: row.goal as CampaignGoal,
    audience: row.audience as string,
    channels: (row.channels as string[]) ?? [],
    budgetMicros: row.budget_micros === null || row.budget_micros === undefined ? null : Number(row.budget_micros),
    currency: row.currency as string,
    startsOn: asDay(row.starts_on),
    endsOn: asDay(row.ends_on),
    kpis: (row.kpis as CampaignKpi[]) ?? [],
    status: row.status as CampaignStatus,
    brief: row.brief as string,
    strategy: (row.strategy as CampaignStrategy | null) ?? null,
    latestRunId: (row.latest_run_id as string | null) ?? null,
    postCount: Number(row.post_count ?? 0),
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

export async function insertCampaign(tx: Tx, campaign: CampaignFields & { tenantId: string; accountId: string; status: CampaignStatus; createdBy: string | null }): Promise<CampaignRow> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    WITH c AS (
      INSERT INTO campaigns (tenant_id, account_id, name, goal, audience, channels, budget_micros, currency, starts_on, ends_on, kpis, status, brief, created_by, updated_by)
      VALUES (${campaign.tenantId}, ${campaign.accountId}, ${campaign.name}, ${campaign.goal}, ${campaign.audience}, ${textArray(campaign.channels)}, ${campaign.budgetMicros},
              ${campaign.currency}, ${campaign.startsOn}::date, ${campaign.endsOn}::date, ${json(campaign.kpis)}, ${campaign.status}, ${campaign.brief},
              ${campaign.createdBy}, ${campaign.createdBy})
      RETURNING *)
    SELECT ${campaignColumns} FROM c`);
  return toCampaignRow({ ...rows.rows[0]!, post_count: 0 });
}

/** A campaign of the account (null when missing or another account's), optionally locked FOR UPDATE. */
export async function findCampaign(tx: Tx, id: string, options: { accountId?: string; lock?: boolean } = {}): Promise<CampaignRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${campaignColumns} FROM campaigns c
     WHERE c.id = ${id}${options.accountId ? sql` AND c.account_id = ${options.accountId}` : sql``}${options.lock ? sql` FOR UPDATE OF c` : sql``}`);
  const row = rows.rows[0];
  return row ? toCampaignRow(row) : null;
}

export type CampaignFilter = { accountId: string; status?: CampaignStatus; search?: string; limit: number; offset: number };

export async function selectCampaigns(tx: Tx, filter: CampaignFilter): Promise<{ rows: CampaignRow[]; total: number }> {
  const conditions: SQL[] = [sql`c.account_id = ${filter.accountId}`];
  if (filter.status) conditions.push(sql`c.status = ${filter.status}`);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, '\\$&')}%`;
    conditions.push(sql`(c.name ILIKE ${pattern} OR c.brief ILIKE ${pattern} OR c.audience ILIKE ${pattern})`);
  }
  const where = sql.join(conditions, sql` AND `);
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT ${campaignColumns}, count(*) OVER () AS total FROM campaigns c WHERE ${where}
     ORDER BY c.updated_at DESC, c.id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  let total = rows.rows.length > 0 ? Number(rows.rows[0]!.total) : 0;
  if (rows.rows.length === 0 && filter.offset > 0) {
    const counted = await tx.execute<{ total: string }>(sql`SELECT count(*) AS total FROM campaigns c WHERE ${where}`);
    total = Number(counted.rows[0]!.total);
  }
  return { rows: rows.rows.map(toCampaignRow), total };
}

export type CampaignChange = Partial<CampaignFields & { status: CampaignStatus; strategy: CampaignStrategy | null; latestRunId: string | null }>;

/** Change the given columns (and updated_at/updated_by). */
export async function updateCampaignRow(tx: Tx, id: string, change: CampaignChange, updatedBy: string | null): Promise<void> {
  const sets: SQL[] = [sql`updated_at = now()`, sql`updated_by = ${updatedBy}`];
  if (change.name !== undefined) sets.push(sql`name = ${change.name}`);
  if (change.goal !== undefined) sets.push(sql`goal = ${change.goal}`);
  if (change.audience !== undefined) sets.push(sql`audience = ${change.audience}`);
  if (change.channels !== undefined) sets.push(sql`channels = ${textArray(change.channels)}`);
  if (change.budgetMicros !== undefined) sets.push(sql`budget_micros = ${change.budgetMicros}`);
  if (change.currency !== undefined) sets.push(sql`currency = ${change.currency}`);
  if (change.startsOn !== undefined) sets.push(sql`starts_on = ${change.startsOn}::date`);
  if (change.endsOn !== undefined) sets.push(sql`ends_on = ${change.endsOn}::date`);
  if (change.kpis !== undefined) sets.push(sql`kpis = ${json(change.kpis)}`);
  if (change.brief !== undefined) sets.push(sql`brief = ${change.brief}`);
  if (change.status !== undefined) sets.push(sql`status = ${change.status}`);
  if (change.strategy !== undefined) sets.push(sql`strategy = ${change.strategy === null ? null : json(change.strategy)}`);
  if (change.latestRunId !== undefined) sets.push(sql`latest_run_id = ${change.latestRunId}`);
  await tx.execute(sql`UPDATE campaigns SET ${sql.join(sets, sql`, `)} WHERE id = ${id}`);
}

/** Delete the campaign; its post links go with it (the posts stay). */
export async function deleteCampaignRow(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`DELETE FROM campaigns WHERE id = ${id}`);
}

// ---------------------------------------------------------------- campaign posts

function toCampaignPostRow(row: Record<string, unknown>): CampaignPostRow {
  return {
    campaignId: row.campaign_id as string,
    postId: row.post_id as string,
    role: row.role as CampaignPostRow['role'],
    runId: (row.run_id as string | null) ?? null,
    predicted: (row.predicted as CampaignPostRow['predicted']) ?? [],
    createdAt: asDate(row.created_at),
  };
}

export async function insertCampaignPost(
  tx: Tx,
  link: { tenantId: string; campaignId: string; postId: string; role: CampaignPostRow['role']; runId: string | null; predicted: CampaignPostRow['predicted'] },
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO campaign_posts (tenant_id, campaign_id, post_id, role, run_id, predicted)
    VALUES (${link.tenantId}, ${link.campaignId}, ${link.postId}, ${link.role}, ${link.runId}, ${json(link.predicted)})`);
}

export async function selectCampaignPosts(tx: Tx, campaignId: string): Promise<CampaignPostRow[]> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT campaign_id, post_id, role, run_id, predicted, created_at FROM campaign_posts WHERE campaign_id = ${campaignId} ORDER BY created_at, post_id`);
  return rows.rows.map(toCampaignPostRow);
}

/** The campaign a post is linked to, if any (a post belongs to at most one). */
export async function findCampaignPostByPost(tx: Tx, postId: string): Promise<CampaignPostRow | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT campaign_id, post_id, role, run_id, predicted, created_at FROM campaign_posts WHERE post_id = ${postId}`);
  const row = rows.rows[0];
  return row ? toCampaignPostRow(row) : null;
}

/** Remove one link; false when the post was not linked to the campaign. */
export async function deleteCampaignPost(tx: Tx, campaignId: string, postId: string): Promise<boolean> {
  const result = await tx.execute(sql`DELETE FROM campaign_posts WHERE campaign_id = ${campaignId} AND post_id = ${postId}`);
  return (result.rowCount ?? 0) > 0;
}
