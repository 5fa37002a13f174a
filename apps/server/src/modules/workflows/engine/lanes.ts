/**
 * Fairness between tenants (docs/design/workflows.md §4): a run's step jobs go to the graphile-worker named
 * queue `wf:<tenantId>:<lane>`, lane = hash(runId) mod WORKFLOW_TENANT_CONCURRENCY. Jobs of one named queue
 * run one at a time, so a tenant never has more than that many steps executing; the rest of its backlog
 * sits in its locked queues, which the worker skips, and another tenant's step is picked next.
 */
export const workflowQueuePrefix = 'wf:';

/** FNV-1a over the run id: the same run always lands in the same lane (its steps keep their order). */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function laneOf(runId: string, lanes: number): number {
  return hashOf(runId) % Math.max(1, lanes);
}

export function laneQueueName(tenantId: string, runId: string, lanes: number): string {
  return `${workflowQueuePrefix}${tenantId}:${laneOf(runId, lanes)}`;
}
