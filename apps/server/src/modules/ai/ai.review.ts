import { z } from 'zod';
import type { Config } from '../../kernel/config.js';
import type { Tx } from '../../kernel/db/database.js';
import { emitEvent } from '../../kernel/events/events.js';
import type { EventBus } from '../../kernel/events/events.js';
import { defineJob, enqueueJob, removeJob, requireJobTenant, requireTransaction } from '../../kernel/jobs/jobs.js';
import { openApprovalRequest, registerApprovalSubject, withdrawApprovalRequests } from '../approvals/index.js';
import { defineNotificationKind, notifyUsers } from '../notifications/index.js';
import { listAccountUserIdsWithRole } from '../tenancy/index.js';
import type { EffectivePolicy } from './ai.policies.js';
import { selectRun, updateRun, type RunRow } from './ai.queries.js';

/**
 * Review of AI results by people (docs/design/ai-agents.md §6): an approvals request of subject type
 * 'ai_run' (one inbox with content approvals), its decision applied by a job, and the deadline job
 * (reject, approve, or escalate once with a second deadline that rejects). Keys: `ai.decision:<requestId>`,
 * `ai.deadline:<runId>`.
 */
export const aiRunSubjectType = 'ai_run';

export const reviewEscalatedKind = defineNotificationKind('ai.review_escalated', {
  emailByDefault: true,
  description: 'An AI result waited too long for review and was escalated to you',
});

type ConfigContext = { config: Config };

const preview = (value: unknown, max = 2000) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

registerApprovalSubject(aiRunSubjectType, {
  // The person who asked for the AI work may review it: they are the human in the loop (decision recorded).
  selfApproval: true,
  async describe(tx, subjectId) {
    const run = await selectRun(tx, subjectId);
    if (!run) return null;
    return { title: `AI ${run.agent} result`, linkPath: `/ai/runs/${run.id}`, authorUserId: run.requested_by, accountId: run.account_id, currentRevision: run.review_round };
  },
  async render(tx, _ctx, subjectId) {
    const run = await selectRun(tx, subjectId);
    if (!run) return null;
    const confidence = run.confidence === null ? 'unknown' : Number(run.confidence).toFixed(2);
    return {
      title: `AI ${run.agent} result (confidence ${confidence})`,
      variants: [
        {
          network: 'ai',
          label: `${run.agent} · ${run.provider}/${run.model}`,
          text: preview(run.output),
          media: [],
          link: null,
          agent: run.agent,
          confidence: run.confidence === null ? null : Number(run.confidence),
          explanation: run.explanation,
          inputSummary: preview(run.input, 500),
        },
      ],
    };
  },
});

/** Open the review of a finished run (in its finishing transaction) and schedule its deadline. */
export async function openRunReview(tx: Tx, ctx: ConfigContext, run: RunRow, policy: EffectivePolicy, round = 1): Promise<RunRow> {
  const confidence = run.confidence === null ? '' : ` (confidence ${Number(run.confidence).toFixed(2)})`;
  const request = await openApprovalRequest(tx, {
    config: ctx.config,
    tenantId: run.tenant_id,
    accountId: run.account_id,
    subjectType: aiRunSubjectType,
    subjectId: run.id,
    subjectRevision: round,
    stage: 'internal',
    summary: `${round > 1 ? 'Escalated: ' : ''}AI ${run.agent} result${confidence}`,
    requestedBy: run.requested_by,
  });
  const deadline = new Date(Date.now() + policy.deadlineMinutes * 60_000);
  await enqueueJob(tx, runDeadlineJob, { runId: run.id, round }, { tenantId: run.tenant_id, key: `ai.deadline:${run.id}`, runAt: deadline });
  return updateRun(tx, run.id, { status: 'awaiting_review', approvalRequestId: request.id, reviewRound: round });
}

export type RunOutcome = 'approved' | 'rejected' | 'expired';

/** Record the final decision on a run and tell the waiting consumers (ai.run_decided). */
export async function decideRun(tx: Tx, run: RunRow, outcome: RunOutcome, decision: { decidedBy: string | null; note: string }): Promise<RunRow> {
  const decided = await updateRun(tx, run.id, { status: outcome, decision });
  await emitEvent(tx, {
    tenantId: run.tenant_id,
    type: 'ai.run_decided',
    payload: {
      runId: run.id,
      accountId: run.account_id,
      agent: run.agent,
      workflowType: run.workflow_type,
      outcome,
      decidedBy: decision.decidedBy,
      automatic: decision.decidedBy === null,
      note: decision.note,
      subject: run.subject_type ? { type: run.subject_type, id: run.subject_id } : null,
    },
  });
  return decided;
}

const decisionPayload = z.object({
  requestId: z.uuid(),
  subjectId: z.uuid(),
  outcome: z.enum(['approved', 'rejected', 'changes_requested']),
  decidedBy: z.object({ kind: z.enum(['user', 'link']), userId: z.uuid().optional(), linkId: z.uuid().optional(), name: z.string() }),
});

/** An approvals decision on an ai_run request → the run approved or rejected (once; stale requests ignored). */
export const applyRunDecisionJob = defineJob({
  id: 'ai.apply-run-decision',
  payload: decisionPayload,
  run: async (_ctx, payload, tx) => {
    const db = requireTransaction(tx);
    const run = await selectRun(db, payload.subjectId, { forUpdate: true });
    if (!run || run.status !== 'awaiting_review' || run.approval_request_id !== payload.requestId) return;
    await removeJob(db, `ai.deadline:${run.id}`);
    const outcome = payload.outcome === 'approved' ? 'approved' : 'rejected';
    const words = payload.outcome === 'changes_requested' ? 'changes requested (rejected)' : payload.outcome;
    await decideRun(db, run, outcome, { decidedBy: payload.decidedBy.userId ?? null, note: `${words} by ${payload.decidedBy.name}` });
  },
});

/** The review deadline: reject (expired), approve, or escalate once (a second deadline then rejects). */
export const runDeadlineJob = defineJob({
  id: 'ai.run-deadline',
  payload: z.object({ runId: z.uuid(), round: z.number().int().min(1) }),
  run: async (ctx, payload, tx) => {
    const db = requireTransaction(tx);
    requireJobTenant(ctx.tenantId);
    const run = await selectRun(db, payload.runId, { forUpdate: true });
    if (!run || run.status !== 'awaiting_review' || run.review_round !== payload.round) return;
    const policy = run.policy as (EffectivePolicy & Record<string, unknown>) | null;
    const onTimeout = payload.round > 1 ? 'reject' : (policy?.onTimeout ?? 'reject');
    if (onTimeout === 'escalate' && policy) {
      const escalated = await openRunReview(db, ctx, run, policy, payload.round + 1);
      const recipients = await listAccountUserIdsWithRole(db, { accountId: run.account_id, minAccountRole: policy.escalationRole });
      await notifyUsers(db, {
        config: ctx.config,
        tenantId: run.tenant_id,
        accountId: run.account_id,
        userIds: recipients,
        kind: reviewEscalatedKind.kind,
        title: `Escalated: AI ${run.agent} result waits for review`,
        body: `Nobody reviewed this ${run.agent} result within ${policy.deadlineMinutes} minutes. It is rejected if not decided within another ${policy.deadlineMinutes} minutes.`,
        linkPath: `/approvals/${escalated.approval_request_id}`,
        subject: { type: aiRunSubjectType, id: run.id },
      });
      return;
    }
    await withdrawApprovalRequests(db, { subjectType: aiRunSubjectType, subjectId: run.id, reason: 'the review deadline passed' });
    if (onTimeout === 'approve') {
      await decideRun(db, run, 'approved', { decidedBy: null, note: 'auto: deadline passed, approved by policy' });
    } else {
      await decideRun(db, run, 'expired', { decidedBy: null, note: `auto: deadline passed, rejected${payload.round > 1 ? ' after escalation' : ''}` });
    }
  },
});

export const aiJobs = [applyRunDecisionJob, runDeadlineJob];

/** Subscribers only enqueue: the job re-reads the run. */
export function subscribeAi(bus: EventBus): void {
  bus.subscribe('approvals.request_decided', async (tx, event) => {
    if (event.payload.subjectType !== aiRunSubjectType) return;
    const payload = decisionPayload.parse(event.payload);
    await enqueueJob(tx, applyRunDecisionJob, payload, { tenantId: event.tenantId, key: `ai.decision:${payload.requestId}` });
  });
}
