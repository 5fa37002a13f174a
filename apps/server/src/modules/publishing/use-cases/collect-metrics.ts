import type { Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { loadPublishingConnection, ProviderError } from '../../social/index.js';
import { findTarget, insertMetrics, type TargetRow } from '../publishing.queries.js';

export type CollectOutcome = 'collected' | 'skipped' | 'unavailable';

/** Called once a snapshot is stored (in its transaction) or found unavailable: the engine queues the next one there. */
export type AfterSnapshot = (tx: Tx, target: TargetRow) => Promise<void>;

/**
 * One engagement snapshot of a published target, appended to engagement_metrics (analytics and best-time
 * suggestions read the series). Transient failures throw so the job retries; a refused or disconnected
 * connection skips this snapshot (the next scheduled one tries again). `afterSnapshot` runs in the
 * transaction that stores the snapshot, or in its own when it is unavailable; not when skipped.
 */
export async function collectTargetMetrics(
  kernel: Kernel,
  tenantId: string,
  targetId: string,
  now: () => Date = () => new Date(),
  afterSnapshot: AfterSnapshot = async () => {},
): Promise<CollectOutcome> {
  const scope = { db: kernel.db, tenantId };
  const target = await withTenantRead(scope, (tx) => findTarget(tx, targetId));
  if (!target || target.status !== 'published' || !target.externalId) return 'skipped';
  const externalId = target.externalId;
  let metrics;
  try {
    const connection = await loadPublishingConnection(kernel, tenantId, target.connectionId);
    if (connection.status === 'active') metrics = await connection.provider.fetchMetrics(connection.credentials, externalId);
  } catch (error) {
    if (!(error instanceof ProviderError && (error.kind === 'rejected' || error.kind === 'disconnected'))) throw error;
    kernel.logger.info({ targetId, kind: error.kind }, 'engagement metrics unavailable for this snapshot');
  }
  if (!metrics) {
    await withTenant(scope, (tx) => afterSnapshot(tx, target));
    return 'unavailable';
  }
  const snapshot = metrics;
  await withTenant(scope, async (tx) => {
    await insertMetrics(tx, { tenantId, targetId, collectedAt: now(), ...snapshot });
    await afterSnapshot(tx, target);
  });
  return 'collected';
}
