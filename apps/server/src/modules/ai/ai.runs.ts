import type { AiRun, AiWorkflowType } from '@omni/contracts/ai';
import { z } from 'zod';
import { isAiProviderError, type AiGenerateResult, type AiUsage } from '../../kernel/ai/index.js';
import type { Tx } from '../../kernel/db/database.js';
import { defineJob, enqueueJob, removeJob, requireJobTenant } from '../../kernel/jobs/jobs.js';
import type { Kernel } from '../../kernel/kernel.js';
import { withSystemAccessRead, withTenant } from '../../kernel/db/tenancy.js';
import { AppError } from '../../kernel/errors.js';
import { emitEvent } from '../../kernel/events/events.js';
import { withdrawApprovalRequests } from '../approvals/index.js';
import { defineNotificationKind, notifyUsers } from '../notifications/index.js';
import { listAccountUserIdsWithRole } from '../tenancy/index.js';
import { clamp, round, type AgentDefinition, type LlmAgentDefinition, type ModelAgentDefinition } from './agents/define.js';
import { findAgent } from './agents/catalogue.js';
import { toRunDto } from './ai.dto.js';
import { getEffectivePolicy, routeResult } from './ai.policies.js';
import { createResolvedProvider, resolveTenantProvider, type ResolvedProvider } from './ai.providers.js';
import {
  claimBudgetNotice,
  insertRun,
  selectBudget,
  selectCostSince,
  selectPrice,
  claimRun,
  selectProviderSettings,
  selectRun,
  takeRateToken,
  updateRun,
  upsertUsageDaily,
  type RunRow,
} from './ai.queries.js';
import { aiRunSubjectType, decideRun, openRunReview } from './ai.review.js';

/**
 * runAgent (docs/design/ai-agents.md §4): budget and rate limit, the run row (committed), the provider
 * call outside any transaction, then one transaction for the output, usage, cost, the daily upsert and the
 * HITL routing (§6). Emits ai.run_completed (and ai.run_decided when auto-approved).
 */
export type AiRunContext = Pick<Kernel, 'db' | 'config' | 'logger'> & { tenantId: string | null; actor?: { userId: string } | null };

export type RunAgentOptions = {
  workflowType?: AiWorkflowType;
  accountId: string;
  subject?: { type: string; id: string } | null;
  signal?: AbortSignal;
};

export const budgetExceededKind = defineNotificationKind('ai.budget_exceeded', {
  emailByDefault: true,
  description: 'The workspace reached its monthly AI budget: AI runs stop until the budget is raised or the month ends',
});

export const budgetAlertKind = defineNotificationKind('ai.budget_alert', {
  emailByDefault: true,
  description: 'The workspace’s AI cost this month reached the budget’s alert level',
});

/** Offline results never pass a "below 0.7" policy on their own (§4). */
export const offlineConfidenceCap = 0.6;

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${new Date().toISOString().slice(0, 7)}-01`;
/** Dollars with cents, or four decimals below a dollar (test budgets and small tenants spend fractions of a cent). */
const usd = (micros: number) => `$${(micros / 1e6).toFixed(micros >= 1e6 || micros === 0 ? 2 : 4)}`;

function requireKnownAgent(agentId: string): AgentDefinition {
  const agent = findAgent(agentId);
  if (!agent) throw new AppError('not_found', 'ai.agent_not_found', `There is no AI agent "${agentId}".`);
  return agent;
}

function requireAgentInput(agent: AgentDefinition, input: unknown): unknown {
  const parsed = agent.input.safeParse(input);
  if (!parsed.success) {
    throw new AppError('unprocessable', 'ai.invalid_input', `The input does not fit the agent "${agent.id}".`, {
      errors: parsed.error.issues.map((issue) => ({ path: ['input', ...issue.path].join('.'), message: issue.message })),
    });
  }
  return parsed.data;
}

/** Cost in USD micro-units from the list price per million tokens (unknown models cost 0 and are logged). */
function costOf(price: { input_micros_per_million: string; output_micros_per_million: string } | null, usage: AiUsage): number {
  if (!price) return 0;
  return Math.round((usage.inputTokens * Number(price.input_micros_per_million) + usage.outputTokens * Number(price.output_micros_per_million)) / 1e6);
}

/** Calibrated confidence: clamped, ×0.8 after a schema repair, the agent's own checks, offline ≤ 0.6. */
export function calibrateConfidence(agent: LlmAgentDefinition, input: unknown, result: Pick<AiGenerateResult<unknown>, 'output' | 'attempts' | 'provider'>): number {
  const output = result.output as { confidence?: unknown };
  let confidence = clamp(typeof output.confidence === 'number' && Number.isFinite(output.confidence) ? output.confidence : 0);
  if (result.attempts > 1) confidence *= 0.8;
  if (agent.calibrate) confidence *= clamp(agent.calibrate(input, result.output));
  if (result.provider === 'offline') confidence = Math.min(confidence, offlineConfidenceCap);
  return round(confidence);
}

/** Budget and rate limit, before anything is spent; the notification commits even though the run is refused. */
export async function admitRun(ctx: AiRunContext, tenantId: string, accountId: string, provider: ResolvedProvider): Promise<void> {
  const defaultLimit = ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD === undefined ? null : Math.round(ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD * 1e6);
  const refusal = await withTenant(ctx, async (tx) => {
    const budget = await selectBudget(tx, tenantId);
    const limit = budget ? (budget.monthly_limit_micros === null ? null : Number(budget.monthly_limit_micros)) : defaultLimit;
    const hardStop = budget?.hard_stop ?? true;
    if (limit !== null && hardStop) {
      const spent = await selectCostSince(tx, tenantId, monthStart());
      if (spent >= limit) {
        if (await claimBudgetNotice(tx, tenantId, 'exceeded', today(), budget ? limit : defaultLimit)) {
          await notifyUsers(tx, {
            config: ctx.config,
            tenantId,
            accountId,
            userIds: await listAccountUserIdsWithRole(tx, { accountId, minAccountRole: 'admin' }),
            kind: budgetExceededKind.kind,
            title: `AI budget reached: ${usd(spent)} of ${usd(limit)} this month`,
            body: 'AI agents stop until the monthly budget is raised in the AI settings or the month ends.',
            linkPath: '/settings/ai',
          });
        }
        return new AppError('payment_required', 'ai.budget_exceeded', `The monthly AI budget is used up (${usd(spent)} of ${usd(limit)}). Raise it in the AI settings or wait for next month.`, {
          limitMicros: limit,
          spentMicros: spent,
        });
      }
    }
    const retryAfterSeconds = await takeRateToken(tx, tenantId, provider.requestsPerMinute);
    if (retryAfterSeconds !== null) {
      return new AppError('too_many_requests', 'ai.rate_limited', `Too many AI requests: at most ${provider.requestsPerMinute} a minute. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
    }
    return null;
  });
  if (refusal) throw refusal;
}

type Admitted = { agent: AgentDefinition; input: unknown; workflowType: AiWorkflowType; tenantId: string };

function prepareRun(ctx: AiRunContext, agentId: string, input: unknown, options: RunAgentOptions): Admitted {
  const tenantId = ctx.tenantId;
  if (!tenantId) throw new Error('runAgent needs a tenant');
  const agent = requireKnownAgent(agentId);
  return { agent, input: requireAgentInput(agent, input), workflowType: options.workflowType ?? agent.workflowType, tenantId };
}

/** The provider that runs the tenant's LLM agents now (the platform key is read under system access). */
export async function resolveRunProvider(ctx: AiRunContext, tenantId: string): Promise<ResolvedProvider> {
  const readPlatformRow = () => withSystemAccessRead(ctx, 'ai: platform provider key', (tx) => selectProviderSettings(tx, null));
  return withTenant(ctx, (tx) => resolveTenantProvider(tx, ctx.config, tenantId, readPlatformRow));
}

const modelOf = (agent: AgentDefinition, resolved: ResolvedProvider) =>
  agent.kind === 'model' ? agent.modelName : resolved.kind === 'offline' ? 'offline' : (resolved.models[agent.id] ?? resolved.defaultModel);

/**
 * Run one agent for the context's tenant and return the finished run: approved (auto), awaiting_review,
 * or failed (the provider's error code and message). Throws 404 ai.agent_not_found, 422 ai.invalid_input,
 * 402 ai.budget_exceeded, 429 ai.rate_limited (retryAfterSeconds).
 */
export async function runAgent(ctx: AiRunContext, agentId: string, input: unknown, options: RunAgentOptions): Promise<AiRun> {
  const prepared = prepareRun(ctx, agentId, input, options);
  const { agent, tenantId } = prepared;
  if (agent.kind === 'model') {
    const started = await withTenant(ctx, (tx) => insertRun(tx, runValues(ctx, prepared, options, { provider: 'model', model: agent.modelName, status: 'running' })));
    return toRunDto(await computeModelRun(ctx, agent, started, prepared.input));
  }
  const resolved = await resolveRunProvider(ctx, tenantId);
  await admitRun(ctx, tenantId, options.accountId, resolved);
  const started = await withTenant(ctx, (tx) => insertRun(tx, runValues(ctx, prepared, options, { provider: resolved.kind, model: modelOf(agent, resolved), status: 'running' })));
  return toRunDto(await executeLlmRun(ctx, agent, started, prepared.input, resolved, options.signal));
}

/**
 * Queue a run in the caller's transaction (long agents such as the strategist, and callers that must not
 * wait): validated now (404/422 like runAgent), status `queued`, executed by the job `ai.run-agent`, which
 * applies the budget and rate limit when it runs. The result arrives as ai.run_completed / ai.run_decided.
 */
export async function queueAgentRun(tx: Tx, ctx: AiRunContext, agentId: string, input: unknown, options: RunAgentOptions): Promise<AiRun> {
  const prepared = prepareRun(ctx, agentId, input, options);
  const { agent, tenantId } = prepared;
  const provider = agent.kind === 'model' ? { provider: 'model', model: agent.modelName } : { provider: 'pending', model: 'pending' };
  const run = await insertRun(tx, runValues(ctx, prepared, options, { ...provider, status: 'queued' }));
  await enqueueJob(tx, runAgentJob, { runId: run.id }, { tenantId, key: `ai.run:${run.id}` });
  return toRunDto(run);
}

function runValues(ctx: AiRunContext, prepared: Admitted, options: RunAgentOptions, values: { provider: string; model: string; status: 'queued' | 'running' }) {
  return {
    tenantId: prepared.tenantId,
    accountId: options.accountId,
    agent: prepared.agent.id,
    agentVersion: prepared.agent.version,
    input: prepared.input,
    workflowType: prepared.workflowType,
    subject: options.subject ?? null,
    requestedBy: ctx.actor?.userId ?? null,
    ...values,
  };
}

/** A model agent: computed in one transaction, no tokens or cost; a prediction has nothing to review. */
async function computeModelRun(ctx: AiRunContext, agent: ModelAgentDefinition, started: RunRow, input: unknown): Promise<RunRow> {
  try {
    return await withTenant(ctx, async (tx) => {
      const output = agent.output.parse(await agent.compute(tx, input, { accountId: started.account_id })) as { confidence: number; explanation: string };
      let run = await updateRun(tx, started.id, { status: 'succeeded', output, confidence: round(clamp(output.confidence)), explanation: output.explanation, finished: true });
      run = await decideRun(tx, run, 'approved', { decidedBy: null, note: 'auto: a model prediction, nothing to act on' });
      await emitRunCompleted(tx, run);
      return run;
    });
  } catch (error) {
    await withTenant(ctx, async (tx) => emitRunCompleted(tx, await updateRun(tx, started.id, { status: 'failed', finished: true, errorCode: 'ai.model_failed', errorMessage: 'The model could not compute a result.' })));
    throw error;
  }
}

/**
 * The one who asked for a run no longer wants it (a workflow run was cancelled), in the caller's transaction:
 * a queued run fails before it calls a provider (ai.withdrawn, nothing billed); a run waiting for review has
 * its approvals request withdrawn and its deadline dropped, and is rejected with the reason. A run already
 * calling its provider, or decided, is left as it is. Returns the run's status afterwards (null: not found).
 */
export async function withdrawAgentRun(tx: Tx, runId: string, reason: string): Promise<AiRun['status'] | null> {
  const run = await selectRun(tx, runId, { forUpdate: true });
  if (!run) return null;
  if (run.status === 'queued') {
    const failed = await updateRun(tx, run.id, { status: 'failed', finished: true, errorCode: 'ai.withdrawn', errorMessage: `Withdrawn before it ran: ${reason}.` });
    await emitRunCompleted(tx, failed);
    return failed.status;
  }
  if (run.status !== 'awaiting_review') return run.status;
  await withdrawApprovalRequests(tx, { subjectType: aiRunSubjectType, subjectId: run.id, reason });
  await removeJob(tx, `ai.deadline:${run.id}`);
  const decided = await decideRun(tx, run, 'rejected', { decidedBy: null, note: `withdrawn: ${reason}` });
  return decided.status;
}

async function emitRunCompleted(tx: Tx, run: RunRow): Promise<void> {
  await emitEvent(tx, {
    tenantId: run.tenant_id,
    type: 'ai.run_completed',
    payload: { runId: run.id, accountId: run.account_id, agent: run.agent, workflowType: run.workflow_type, status: run.status, subject: run.subject_type ? { type: run.subject_type, id: run.subject_id } : null },
  });
}

/** The provider call (no transaction held), then one transaction: output, usage, cost, routing. */
async function executeLlmRun(ctx: AiRunContext, agent: LlmAgentDefinition, started: RunRow, parsedInput: unknown, resolved: ResolvedProvider, signal?: AbortSignal): Promise<RunRow> {
  const tenantId = started.tenant_id;
  const model = modelOf(agent, resolved);
  let outcome: { ok: true; result: AiGenerateResult<unknown> } | { ok: false; usage: AiUsage; model: string; code: string; message: string };
  try {
    const provider = createResolvedProvider(ctx.config, resolved, model);
    const result = await provider.generate({
      agent: agent.id,
      input: parsedInput,
      system: agent.system,
      prompt: agent.buildPrompt(parsedInput),
      schema: agent.output,
      model,
      maxOutputTokens: agent.maxOutputTokens,
      signal,
    });
    outcome = { ok: true, result };
  } catch (error) {
    if (!isAiProviderError(error)) {
      await withTenant(ctx, async (tx) => emitRunCompleted(tx, await updateRun(tx, started.id, { status: 'failed', finished: true, errorCode: 'ai.internal', errorMessage: 'The run failed unexpectedly.' })));
      throw error;
    }
    outcome = { ok: false, usage: error.usage, model: error.model ?? model, code: `ai.${error.kind}`, message: error.message };
  }

  return withTenant(ctx, async (tx) => {
    const usage = outcome.ok ? outcome.result.usage : outcome.usage;
    const usedModel = outcome.ok ? outcome.result.model : outcome.model;
    const price = (await selectPrice(tx, resolved.kind, usedModel)) ?? (await selectPrice(tx, resolved.kind, model));
    if (!price && resolved.kind !== 'offline') ctx.logger.warn({ provider: resolved.kind, model: usedModel }, 'ai: no price for this model, cost recorded as 0');
    const costMicros = costOf(price, usage);
    await upsertUsageDaily(tx, { tenantId, day: today(), agent: agent.id, provider: resolved.kind, model: usedModel, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costMicros });
    if (costMicros > 0) await warnNearBudget(tx, ctx, started, costMicros);
    const common = { model: usedModel, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costMicros, finished: true };
    let run: RunRow;
    if (!outcome.ok) {
      run = await updateRun(tx, started.id, { ...common, status: 'failed', errorCode: outcome.code, errorMessage: outcome.message.slice(0, 2000) });
    } else {
      const confidence = calibrateConfidence(agent, parsedInput, outcome.result);
      const output = outcome.result.output as { explanation?: unknown };
      const policy = await getEffectivePolicy(tx, tenantId, started.workflow_type);
      run = await updateRun(tx, started.id, {
        ...common,
        status: 'succeeded',
        output: outcome.result.output,
        confidence,
        explanation: typeof output.explanation === 'string' ? output.explanation : null,
        policy: { ...policy },
      });
      const routing = routeResult(policy, confidence);
      run = routing.review ? await openRunReview(tx, ctx, run, policy) : await decideRun(tx, run, 'approved', { decidedBy: null, note: routing.note });
    }
    await emitRunCompleted(tx, run);
    return run;
  });
}

/**
 * The budget warning: the run whose cost crosses alert_at_percent of the monthly limit tells the tenant's
 * admins, once a month (claimed on the budget row, so concurrent runs send one notice).
 */
async function warnNearBudget(tx: Tx, ctx: AiRunContext, run: RunRow, costMicros: number): Promise<void> {
  const budget = await selectBudget(tx, run.tenant_id);
  const defaultLimit = ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD === undefined ? null : Math.round(ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD * 1e6);
  const limit = budget ? (budget.monthly_limit_micros === null ? null : Number(budget.monthly_limit_micros)) : defaultLimit;
  if (limit === null || limit === 0) return;
  const percent = budget?.alert_at_percent ?? 80;
  const spent = await selectCostSince(tx, run.tenant_id, monthStart());
  const threshold = (limit * percent) / 100;
  if (spent < threshold || spent - costMicros >= threshold) return;
  if (!(await claimBudgetNotice(tx, run.tenant_id, 'alert', monthStart(), budget ? limit : defaultLimit))) return;
  await notifyUsers(tx, {
    config: ctx.config,
    tenantId: run.tenant_id,
    accountId: run.account_id,
    userIds: await listAccountUserIdsWithRole(tx, { accountId: run.account_id, minAccountRole: 'admin' }),
    kind: budgetAlertKind.kind,
    title: `AI budget at ${Math.floor((spent / limit) * 100)} %: ${usd(spent)} of ${usd(limit)} this month`,
    body: budget?.hard_stop === false
      ? 'AI runs go on past the limit (hard stop is off); raise or review the budget in the AI settings.'
      : 'AI agents stop when the monthly budget is used up. Raise it in the AI settings if you need more.',
    linkPath: '/settings/ai',
  });
}

const runAgentPayload = z.object({ runId: z.uuid() });

/**
 * `ai.run-agent`: executes a queued run (no transaction across the provider call). The budget and rate
 * limit apply when it runs: over budget fails the run (ai.budget_exceeded), rate limited waits for the
 * window (the job re-queued at Retry-After). A worker killed mid-call leaves the run `running`; the retry
 * calls the provider again (a finished run is never re-run).
 */
export const runAgentJob = defineJob({
  id: 'ai.run-agent',
  payload: runAgentPayload,
  transactional: false,
  maxAttempts: 3,
  run: async (job, payload) => {
    const tenantId = requireJobTenant(job.tenantId);
    const ctx: AiRunContext = { db: job.db, config: job.config, logger: job.logger, tenantId };
    const queued = await withTenant(ctx, (tx) => selectRun(tx, payload.runId));
    if (!queued || (queued.status !== 'queued' && queued.status !== 'running')) return;
    const fail = (code: string, message: string) =>
      withTenant(ctx, async (tx) => emitRunCompleted(tx, await updateRun(tx, queued.id, { status: 'failed', finished: true, errorCode: code, errorMessage: message })));
    const agent = findAgent(queued.agent);
    if (!agent) return fail('ai.agent_not_found', `There is no AI agent "${queued.agent}".`);
    const parsed = agent.input.safeParse(queued.input);
    if (!parsed.success) return fail('ai.invalid_input', `The input does not fit the agent "${agent.id}".`);
    if (agent.kind === 'model') {
      const started = await withTenant(ctx, (tx) => claimRun(tx, queued.id, { provider: 'model', model: agent.modelName }));
      if (started) await computeModelRun(ctx, agent, started, parsed.data);
      return;
    }
    const resolved = await resolveRunProvider(ctx, tenantId);
    try {
      await admitRun(ctx, tenantId, queued.account_id, resolved);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'ai.rate_limited') {
        const runAt = new Date(Date.now() + (error.details.retryAfterSeconds ?? 1) * 1000);
        await withTenant(ctx, (tx) => enqueueJob(tx, runAgentJob, payload, { tenantId, runAt }));
        return;
      }
      return fail(error.code, error.message);
    }
    const started = await withTenant(ctx, (tx) => claimRun(tx, queued.id, { provider: resolved.kind, model: modelOf(agent, resolved) }));
    if (!started) return;
    try {
      await executeLlmRun(ctx, agent, started, parsed.data, resolved);
    } catch (error) {
      // The run is recorded as failed (ai.internal); retrying would bill the call twice.
      job.logger.error({ err: error, runId: queued.id }, 'ai: queued run failed unexpectedly');
    }
  },
});

/** The agent's input schema type, for callers that build inputs (campaigns). */
export type AgentInput<Agent extends AgentDefinition> = z.input<Agent['input']>;
