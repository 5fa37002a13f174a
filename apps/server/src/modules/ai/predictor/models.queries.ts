import { sql } from 'drizzle-orm';
import type { Tx } from '../../../kernel/db/database.js';
import type { RidgeModel } from './ridge.js';

/** The only file that touches ai_models (migration 0017). */

export type StoredModel = RidgeModel & {
  accountId: string;
  network: string;
  scoreKind: 'per_impression' | 'count';
  featureNames: string[];
  followerProxyDefault: number;
  trainedAt: Date;
};

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** Insert or replace the model of (account, network) in the current tenant. */
export async function upsertModel(tx: Tx, tenantId: string, model: Omit<StoredModel, 'trainedAt'>): Promise<void> {
  await tx.execute(sql`
    INSERT INTO ai_models (tenant_id, account_id, network, score_kind, feature_names, coefficients, feature_means, feature_scales,
                           weight_covariance, follower_proxy_default, n, r2, loo_r2, lambda, residual_se, trained_at)
    VALUES (${tenantId}, ${model.accountId}, ${model.network}, ${model.scoreKind}, ${`{${model.featureNames.join(',')}}`}::text[],
            ${JSON.stringify({ intercept: model.intercept, weights: model.weights })}::jsonb, ${JSON.stringify(model.means)}::jsonb,
            ${JSON.stringify(model.scales)}::jsonb, ${JSON.stringify(model.weightCovariance)}::jsonb, ${model.followerProxyDefault},
            ${model.n}, ${model.r2}, ${model.looR2}, ${model.lambda}, ${model.residualSe}, now())
    ON CONFLICT (tenant_id, account_id, network) DO UPDATE SET
      score_kind = excluded.score_kind, feature_names = excluded.feature_names, coefficients = excluded.coefficients,
      feature_means = excluded.feature_means, feature_scales = excluded.feature_scales, weight_covariance = excluded.weight_covariance,
      follower_proxy_default = excluded.follower_proxy_default, n = excluded.n, r2 = excluded.r2, loo_r2 = excluded.loo_r2,
      lambda = excluded.lambda, residual_se = excluded.residual_se, trained_at = excluded.trained_at`);
}

export async function findModel(tx: Tx, input: { accountId: string; network: string }): Promise<StoredModel | null> {
  const rows = await tx.execute<Record<string, unknown>>(sql`
    SELECT * FROM ai_models WHERE account_id = ${input.accountId} AND network = ${input.network}`);
  const row = rows.rows[0];
  if (!row) return null;
  const coefficients = row.coefficients as { intercept: number; weights: number[] };
  return {
    accountId: row.account_id as string,
    network: row.network as string,
    scoreKind: row.score_kind as StoredModel['scoreKind'],
    featureNames: row.feature_names as string[],
    intercept: Number(coefficients.intercept),
    weights: coefficients.weights.map(Number),
    means: (row.feature_means as number[]).map(Number),
    scales: (row.feature_scales as number[]).map(Number),
    weightCovariance: row.weight_covariance as number[][],
    followerProxyDefault: Number(row.follower_proxy_default),
    n: Number(row.n),
    r2: Number(row.r2),
    looR2: Number(row.loo_r2),
    lambda: Number(row.lambda),
    residualSe: Number(row.residual_se),
    trainedAt: asDate(row.trained_at),
  };
}

/** Remove the tenant's models of pairs that no longer have enough history (keeps those in `keep`). */
export async function deleteModelsExcept(tx: Tx, keep: Array<{ accountId: string; network: string }>): Promise<number> {
  const kept = keep.map((pair) => `${pair.accountId}/${pair.network}`);
  const result = await tx.execute(sql`
    DELETE FROM ai_models WHERE NOT (account_id::text || '/' || network = ANY(${`{${kept.map((key) => `"${key}"`).join(',')}}`}::text[]))`);
  return result.rowCount ?? 0;
}

/** Tenants with a stored model (cross-tenant: the caller holds system access). */
export async function listTenantsWithModels(tx: Tx): Promise<string[]> {
  const rows = await tx.execute<{ tenant_id: string }>(sql`SELECT DISTINCT tenant_id FROM ai_models ORDER BY tenant_id`);
  return rows.rows.map((row) => row.tenant_id);
}
