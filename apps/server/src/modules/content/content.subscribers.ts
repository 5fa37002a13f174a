import type { EventBus } from '../../kernel/events/events.js';
import { enqueueJob } from '../../kernel/jobs/jobs.js';
import { findPostTarget } from './content.queries.js';
import { applyApprovalDecisionJob, applyApprovalWithdrawalJob, compareAbJob, syncOccurrenceStatusJob } from './content.jobs.js';
import { abComparisonDueAt } from './use-cases/ab-compare.js';
import { postSubjectType } from './use-cases/lifecycle.js';

/** Publishing's target events that may change an occurrence's status. */
export const targetEvents = [
  'publishing.target_published',
  'publishing.target_failed',
  'publishing.target_unconfirmed',
  'publishing.target_late',
  'publishing.target_rescheduled',
];

/** Subscribers only enqueue: the jobs re-read the authoritative state. */
export function subscribeContent(bus: EventBus): void {
  bus.subscribe('approvals.request_decided', async (tx, event) => {
    if (event.payload.subjectType !== postSubjectType) return;
    const payload = applyApprovalDecisionJob.payload.parse(event.payload);
    await enqueueJob(tx, applyApprovalDecisionJob, payload, { tenantId: event.tenantId, key: `approval:${payload.requestId}` });
  });
  bus.subscribe('approvals.request_withdrawn', async (tx, event) => {
    if (event.payload.subjectType !== postSubjectType) return;
    const payload = applyApprovalWithdrawalJob.payload.parse(event.payload);
    await enqueueJob(tx, applyApprovalWithdrawalJob, payload, { tenantId: event.tenantId, key: `withdrawal:${payload.requestId}` });
  });
  for (const type of targetEvents) {
    bus.subscribe(type, async (tx, event) => {
      const targetId = event.payload.targetId;
      if (typeof targetId !== 'string') return;
      // Targets created through publishing's own API have no post: nothing to sync.
      const mapped = await findPostTarget(tx, targetId);
      if (!mapped) return;
      await enqueueJob(tx, syncOccurrenceStatusJob, { occurrenceId: mapped.occurrenceId }, { tenantId: event.tenantId, key: `sync:${mapped.occurrenceId}` });
      // Variant B of an A/B test out: compare once its metrics are in.
      const compareAt = type === 'publishing.target_published' ? await abComparisonDueAt(tx, mapped) : null;
      if (compareAt) await enqueueJob(tx, compareAbJob, { postId: mapped.postId }, { tenantId: event.tenantId, key: `ab:${mapped.postId}`, runAt: compareAt });
    });
  }
}
