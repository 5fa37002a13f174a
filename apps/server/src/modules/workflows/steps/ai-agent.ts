import { aiWorkflowTypeSchema, type AiWorkflowType } from '@omni/contracts/ai';
import { z } from 'zod';
import type { EventBus } from '../../../kernel/events/events.js';
import { AppError } from '../../../kernel/errors.js';
import { findAgent, getAgentRuns, queueAgentRun, withdrawAgentRun } from '../../ai/index.js';
import { enqueueSignal } from '../engine/signals.js';
import { renderTemplate, type RunData } from '../expressions.js';
import { StepFailure } from '../step-failure.js';
import { findWorkflowType } from '../workflows.waits.queries.js';
import { workflowStepSubjectType } from './approval.js';
import { defineStepKind, type DefinitionChecker } from './registry.js';

/** Each string in the input (at any depth) is a Liquid template; other values pass as they are. */
function mapStrings(value: unknown, path: string, visit: (text: string, path: string) => string): unknown {
  if (typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) return value.map((item, index) => mapStrings(item, `${path}.${index}`, visit));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, `${path}.${key}`, visit)]));
  return value;
}

const renderInput = (input: Record<string, unknown>, data: RunData) => mapStrings(input, 'input', (text) => renderTemplate(text, data));

function checkInput(input: Record<string, unknown>, checker: DefinitionChecker): void {
  mapStrings(input, 'input', (text, path) => {
    checker.template(path, text);
    return text;
  });
}

/**
 * Run an AI agent (ai module, queueAgentRun) with its input rendered from the run's data, under the HITL
 * policy of the workflow's type (or the node's workflowType): the step parks until the run is decided
 * (ai.run_decided). Approved (automatically or by a reviewer in the approvals inbox) → default with
 * {output, confidence, runId}; rejected or expired → review_rejected; a run that fails → error (the step
 * fails when no error edge leaves it). Test runs queue nothing: they record what would run.
 */
export const aiAgentStep = defineStepKind({
  kind: 'ai_agent',
  config: z.object({
    agent: z.string('Choose an agent.').trim().min(1, 'Choose an agent.').max(100),
    /** The agent's input; its strings are Liquid templates over the run's data. */
    input: z.record(z.string(), z.unknown()).default({}),
    /** The HITL policy type; default: the workflow's. */
    workflowType: aiWorkflowTypeSchema.nullable().default(null),
  }),
  ports: ['default', 'review_rejected', 'error'],
  sideEffect: true,
  transactional: true,
  check(config, checker) {
    if (!findAgent(config.agent)) checker.issue('agent', `There is no AI agent "${config.agent}".`);
    checkInput(config.input, checker);
  },
  async execute(step, config, tx) {
    if (!tx) throw new Error('ai_agent runs inside the transaction that finishes the step');
    const input = renderInput(config.input, step.data);
    const workflowType = (config.workflowType ?? (await findWorkflowType(tx, step.workflow.id))) as AiWorkflowType;
    const resolved = { agent: config.agent, input, workflowType };
    if (step.dryRun) return { outcome: 'done', input: resolved, output: { dryRun: true, ...resolved, output: null, confidence: null, runId: null } };
    try {
      const run = await queueAgentRun(
        tx,
        { db: step.db, config: step.config, logger: step.logger, tenantId: step.tenantId, actor: step.run.startedBy ? { userId: step.run.startedBy } : null },
        config.agent,
        input,
        { workflowType, accountId: step.accountId, subject: { type: workflowStepSubjectType, id: step.step.id } },
      );
      return { outcome: 'park', wait: { aiRunId: run.id }, input: { ...resolved, runId: run.id } };
    } catch (error) {
      // An unknown agent or an input that does not fit it will not get better by trying again.
      if (error instanceof AppError) throw new StepFailure(error.code, error.message);
      throw error;
    }
  },
  async release(tx, step, reason) {
    // Cancelled with its run: the AI run it queued is withdrawn (not run, or its review request taken back).
    if (reason.kind === 'cancelled' && step.wait.aiRunId) await withdrawAgentRun(tx, step.wait.aiRunId, 'the workflow run was cancelled');
  },
});

const runSubject = z.object({ type: z.string(), id: z.uuid() }).nullable().optional();
const decidedPayload = z.object({ runId: z.uuid(), outcome: z.enum(['approved', 'rejected', 'expired']), note: z.string().nullable().optional(), decidedBy: z.string().nullable().optional(), subject: runSubject });
const completedPayload = z.object({ runId: z.uuid(), status: z.string(), subject: runSubject });

/**
 * ai.run_decided / ai.run_completed (failed) of a run a workflow step queued → a signal to the step. The
 * output of an approved run is read now (the event carries only ids).
 */
export function subscribeAiAgentSteps(bus: EventBus): void {
  bus.subscribe('ai.run_decided', async (tx, event) => {
    if (event.tenantId === null || (event.payload.subject as { type?: unknown } | null)?.type !== workflowStepSubjectType) return;
    const payload = decidedPayload.parse(event.payload);
    const base = { stepRunId: payload.subject!.id, waitKey: 'aiRunId' as const, waitValue: payload.runId };
    if (payload.outcome === 'approved') {
      const [run] = await getAgentRuns(tx, [payload.runId]);
      await enqueueSignal(tx, event.tenantId, { ...base, signal: { port: 'default', output: { output: run?.output ?? null, confidence: run?.confidence ?? null, runId: payload.runId } } });
      return;
    }
    await enqueueSignal(tx, event.tenantId, {
      ...base,
      signal: { port: 'review_rejected', output: { outcome: payload.outcome, note: payload.note ?? null, decidedBy: payload.decidedBy ?? null, runId: payload.runId } },
    });
  });
  bus.subscribe('ai.run_completed', async (tx, event) => {
    if (event.tenantId === null || event.payload.status !== 'failed' || (event.payload.subject as { type?: unknown } | null)?.type !== workflowStepSubjectType) return;
    const payload = completedPayload.parse(event.payload);
    const [run] = await getAgentRuns(tx, [payload.runId]);
    await enqueueSignal(tx, event.tenantId, {
      stepRunId: payload.subject!.id,
      waitKey: 'aiRunId',
      waitValue: payload.runId,
      signal: {
        port: 'error',
        output: null,
        failure: { code: run?.errorCode ?? 'ai.run_failed', message: `The AI run failed: ${run?.errorMessage ?? 'no reason given'}`.slice(0, 1000) },
      },
    });
  });
}
