import { z } from 'zod';
import type { Tx } from '../../../kernel/db/database.js';
import type { EventBus } from '../../../kernel/events/events.js';
import { getEffectiveHitlPolicy } from '../../ai/index.js';
import { openApprovalRequest, registerApprovalSubject, withdrawApprovalRequests } from '../../approvals/index.js';
import { enqueueSignal } from '../engine/signals.js';
import { renderTemplate } from '../expressions.js';
import { findRun, findStep } from '../workflows.queries.js';
import { findWorkflowType } from '../workflows.waits.queries.js';
import { defineStepKind } from './registry.js';

/** Approval requests of workflow steps: subject id = the step run's id, revision = its attempt. */
export const workflowStepSubjectType = 'workflow_step';

type ApprovalInput = { title: string; body: string; role: 'editor' | 'admin'; requestId?: string };

/** A step of the tenant with its run, as the approvals inbox describes and previews it (null: no such step). */
async function findApprovalStep(tx: Tx, stepRunId: string) {
  const step = await findStep(tx, stepRunId);
  if (!step) return null;
  const run = await findRun(tx, step.run_id);
  if (!run) return null;
  const input = (step.input ?? {}) as Partial<ApprovalInput>;
  return { step, run, title: input.title ?? `Workflow “${run.workflow_name}”: step ${step.node_id}`, body: input.body ?? '' };
}

registerApprovalSubject(workflowStepSubjectType, {
  // The person who started the run asks; someone else decides (like a post).
  selfApproval: false,
  // The node's role: editors (and admins), or admins only.
  async deciderRole(tx, subjectId) {
    const step = await findStep(tx, subjectId);
    return (step?.input as Partial<ApprovalInput> | null)?.role === 'admin' ? 'admin' : 'editor';
  },
  async describe(tx, subjectId) {
    const found = await findApprovalStep(tx, subjectId);
    if (!found) return null;
    return { title: found.title, linkPath: `/workflows/runs/${found.run.id}`, authorUserId: found.run.started_by, accountId: found.run.account_id, currentRevision: Math.max(1, found.step.attempt) };
  },
  async render(tx, _ctx, subjectId) {
    const found = await findApprovalStep(tx, subjectId);
    if (!found) return null;
    return {
      title: found.title,
      variants: [{ network: 'workflow', label: `${found.run.workflow_name} · ${found.step.node_id}`, text: found.body || found.title, media: [], link: `/workflows/runs/${found.run.id}` }],
    };
  },
});

const timeoutPorts = { approve: 'approved', reject: 'rejected' } as const;

/**
 * Ask people of the account to approve: an approvals request (subject workflow_step) in the inbox, then the
 * step parks until the decision (approved → approved; rejected or changes requested → rejected) or its
 * deadline: deadlineMinutes, else the HITL policy of the workflow's type. At the deadline the request is
 * withdrawn and the step leaves through `timeout`, or through approved/rejected when onTimeout says so.
 * Test runs ask nobody: they record the request and take `approved`.
 */
export const approvalStep = defineStepKind({
  kind: 'approval',
  config: z.object({
    title: z.string().trim().min(1, 'Write what should be approved.').max(200, 'A title has at most 200 characters.'),
    body: z.string().max(4000, 'The text has at most 4000 characters.').default(''),
    /** Who decides: editors (and admins), or admins only. */
    role: z.enum(['editor', 'admin'], 'Choose editor or admin.').default('editor'),
    deadlineMinutes: z.number('Enter minutes.').int('Use whole minutes.').min(1, 'Wait at least a minute.').max(525_600, 'Wait at most a year.').nullable().default(null),
    /** At the deadline: approve or reject; unset: leave through the timeout port. */
    onTimeout: z.enum(['reject', 'approve'], 'Choose reject or approve.').nullable().default(null),
  }),
  ports: ['approved', 'rejected', 'timeout'],
  sideEffect: true,
  transactional: true,
  check(config, checker) {
    checker.template('title', config.title);
    checker.template('body', config.body);
  },
  async execute(step, config, tx) {
    if (!tx) throw new Error('approval runs inside the transaction that finishes the step');
    const title = renderTemplate(config.title, step.data);
    const body = renderTemplate(config.body, step.data);
    const base = { title, body, role: config.role };
    if (step.dryRun) return { outcome: 'done', port: 'approved', input: base, output: { dryRun: true, outcome: 'approved', requestId: null, decidedBy: null } };
    const deadlineMinutes = config.deadlineMinutes ?? (await getEffectiveHitlPolicy(tx, step.tenantId, await findWorkflowType(tx, step.workflow.id))).deadlineMinutes;
    const request = await openApprovalRequest(tx, {
      config: step.config,
      tenantId: step.tenantId,
      accountId: step.accountId,
      subjectType: workflowStepSubjectType,
      subjectId: step.step.id,
      subjectRevision: Math.max(1, step.step.attempt),
      stage: 'internal',
      summary: title,
      requestedBy: step.run.startedBy,
    });
    const timeoutAt = new Date(Date.now() + deadlineMinutes * 60_000);
    const port = config.onTimeout ? timeoutPorts[config.onTimeout] : 'timeout';
    return {
      outcome: 'park',
      wait: { approvalRequestId: request.id },
      timeoutAt,
      timeout: { port, output: { outcome: 'timeout', requestId: request.id, decidedBy: null } },
      input: { ...base, requestId: request.id, deadlineMinutes, timeoutAt: timeoutAt.toISOString() },
    };
  },
  async release(tx, step, reason) {
    // After a decision nothing is pending (no-op); at the deadline or on cancel the request is withdrawn.
    await withdrawApprovalRequests(tx, { subjectType: workflowStepSubjectType, subjectId: step.id, reason: reason.kind === 'cancelled' ? 'the workflow run was cancelled' : 'the approval step’s deadline passed' });
  },
});

const decidedPayload = z.object({
  requestId: z.uuid(),
  subjectType: z.string(),
  subjectId: z.uuid(),
  outcome: z.enum(['approved', 'rejected', 'changes_requested']),
  decidedBy: z.object({ kind: z.enum(['user', 'link']), userId: z.uuid().optional(), name: z.string() }).loose(),
});

/** approvals.request_decided of a workflow step → a signal to the step (approved, or rejected). */
export function subscribeApprovalSteps(bus: EventBus): void {
  bus.subscribe('approvals.request_decided', async (tx, event) => {
    if (event.tenantId === null || event.payload.subjectType !== workflowStepSubjectType) return;
    const payload = decidedPayload.parse(event.payload);
    const decidedBy = { kind: payload.decidedBy.kind, userId: payload.decidedBy.userId ?? null, name: payload.decidedBy.name };
    await enqueueSignal(tx, event.tenantId, {
      stepRunId: payload.subjectId,
      waitKey: 'approvalRequestId',
      waitValue: payload.requestId,
      signal: { port: payload.outcome === 'approved' ? 'approved' : 'rejected', output: { outcome: payload.outcome, requestId: payload.requestId, decidedBy } },
    });
  });
}
