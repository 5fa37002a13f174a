import { withTenant } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { loadPublishingConnection, ProviderError } from '../../social/index.js';
import { findTarget, insertMetrics } from '../publishing.queries.js';

export type CollectOutcome = 'collected' | 'skipped' | 'unavailable';

/**
 * One engagement snapshot of a published target, appended to engagement_metrics (analytics and best-time
 * suggestions read the series). Transient failures throw so the job retries; a refused or disconnected
 * connection skips this snapshot (the next scheduled one tries again).
 */
export async function collectTargetMetrics(kernel: Kernel, tenantId: string, targetId: string, now: () => Date = () => new Date()): Promise<CollectOutcome> {
  const scope = { db: kernel.db, tenantId };
  const target = await withTenant(scope, (tx) => findTarget(tx, targetId));
  if (!target || target.status !== 'published' || !target.externalId) return 'skipped';
  const externalId = target.externalId;
  let metrics;
  try {
    const connection = await loadPublishingConnection(kernel, tenantId, target.connectionId);
    if (connection.status !== 'active') return 'unavailable';
    metrics = await connection.provider.fetchMetrics(connection.credentials, externalId);
  } catch (error) {
    if (error instanceof ProviderError && (error.kind === 'rejected' || error.kind === 'disconnected')) {
      kernel.logger.info({ targetId, kind: error.kind }, 'engagement metrics unavailable for this snapshot');
      return 'unavailable';
    }
    throw error;
  }
  await withTenant(scope, (tx) => insertMetrics(tx, { tenantId, targetId, collectedAt: now(), ...metrics }));
  return 'collected';
}
