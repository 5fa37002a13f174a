import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess, withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { loadPublishingConnection, ProviderError } from '../../social/index.js';
import { enqueueFirstMetricsCollections } from '../publishing.jobs.js';
import { findTarget, insertMetrics, takeDueMetricsTargets, type TargetRow } from '../publishing.queries.js';

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

/** How many targets' first snapshots one batch queues, and how many batches one run takes (the next minute's goes on). */
export type MetricsQueueLimits = { batch: number; maxBatches: number };

const metricsQueueLimits: MetricsQueueLimits = { batch: 2000, maxBatches: 10 };

/**
 * The publishing.queue-metrics job (system access, every minute): published targets whose first engagement
 * snapshot is not queued yet (metrics_due_at) get their collect-metrics job, due at that time (a run late
 * by a backlog queues it in the past: it runs at once). Each batch is one transaction: the rows taken and
 * cleared in one statement, the jobs queued in one more. A full batch is followed by the next at once, up
 * to maxBatches. Returns how many were queued.
 */
export async function queueDueMetricsCollections(kernel: Kernel, limits: MetricsQueueLimits = metricsQueueLimits): Promise<number> {
  let queued = 0;
  for (let round = 0; round < limits.maxBatches; round += 1) {
    const taken = await withSystemAccess(kernel, 'job:publishing.queue-metrics', async (tx) => {
      const targets = await takeDueMetricsTargets(tx, limits.batch);
      await enqueueFirstMetricsCollections(tx, targets.map((target) => ({ tenantId: target.tenantId, targetId: target.id, dueAt: target.metricsDueAt })));
      return targets.length;
    });
    queued += taken;
    if (taken < limits.batch) break;
  }
  if (queued > 0) kernel.logger.debug({ queued }, 'publishing: first engagement snapshots queued');
  return queued;
}
