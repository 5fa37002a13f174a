import type { AiRun, AiWorkflowType } from '@omni/contracts/ai';
import { z } from 'zod';
import { isAiProviderError, type AiGenerateResult, type AiUsage } from '../../kernel/ai/index.js';
import type { Kernel } from '../../kernel/kernel.js';
import { withSystemAccessRead, withTenant } from '../../kernel/db/tenancy.js';
import { AppError } from '../../kernel/errors.js';
import { emitEvent } from '../../kernel/events/events.js';
import { defineNotificationKind, notifyUsers } from '../notifications/index.js';
import { listAccountUserIdsWithRole } from '../tenancy/index.js';
import { clamp, round, type AgentDefinition } from './agents/define.js';
import { findAgent } from './agents/catalogue.js';
import { toRunDto } from './ai.dto.js';
import { getEffectivePolicy, routeResult } from './ai.policies.js';
import { createResolvedProvider, resolveTenantProvider, type ResolvedProvider } from './ai.providers.js';
import {
  claimBudgetNotification,
  insertRun,
  selectBudget,
  selectCostSince,
  selectPrice,
  selectProviderSettings,
  takeRateToken,
  updateRun,
  upsertUsageDaily,
  type RunRow,
} from './ai.queries.js';
import { decideRun, openRunReview } from './ai.review.js';

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

/** Offline results never pass a "below 0.7" policy on their own (§4). */
export const offlineConfidenceCap = 0.6;

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${new Date().toISOString().slice(0, 7)}-01`;
const usd = (micros: number) => `$${(micros / 1e6).toFixed(2)}`;

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
export function calibrateConfidence(agent: AgentDefinition, input: unknown, result: Pick<AiGenerateResult<unknown>, 'output' | 'attempts' | 'provider'>): number {
  const output = result.output as { confidence?: unknown };
  let confidence = clamp(typeof output.confidence === 'number' && Number.isFinite(output.confidence) ? output.confidence : 0);
  if (result.attempts > 1) confidence *= 0.8;
  if (agent.calibrate) confidence *= clamp(agent.calibrate(input, result.output));
  if (result.provider === 'offline') confidence = Math.min(confidence, offlineConfidenceCap);
  return round(confidence);
}

/** Budget and rate limit, before anything is spent; the notification commits even though the run is refused. */
async function admitRun(ctx: AiRunContext, tenantId: string, accountId: string, provider: ResolvedProvider): Promise<void> {
  const defaultLimit = ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD === undefined ? null : Math.round(ctx.config.AI_DEFAULT_MONTHLY_BUDGET_USD * 1e6);
  const refusal = await withTenant(ctx, async (tx) => {
    const budget = await selectBudget(tx, tenantId);
    const limit = budget ? (budget.monthly_limit_micros === null ? null : Number(budget.monthly_limit_micros)) : defaultLimit;
    const hardStop = budget?.hard_stop ?? true;
    if (limit !== null && hardStop) {
      const spent = await selectCostSince(tx, tenantId, monthStart());
      if (spent >= limit) {
        if (await claimBudgetNotification(tx, tenantId, today(), budget ? limit : defaultLimit)) {
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

/**
 * Run one agent for the context's tenant and return the finished run: approved (auto), awaiting_review,
 * or failed (the provider's error code and message). Throws 404 ai.agent_not_found, 422 ai.invalid_input,
 * 402 ai.budget_exceeded, 429 ai.rate_limited (retryAfterSeconds).
 */
export async function runAgent(ctx: AiRunContext, agentId: string, input: unknown, options: RunAgentOptions): Promise<AiRun> {
  const tenantId = ctx.tenantId;
  if (!tenantId) throw new Error('runAgent needs a tenant');
  const agent = requireKnownAgent(agentId);
  const parsedInput = requireAgentInput(agent, input);
  const workflowType = options.workflowType ?? agent.workflowType;
  const readPlatformRow = () => withSystemAccessRead(ctx, 'ai: platform provider key', (tx) => selectProviderSettings(tx, null));
  const resolved = await withTenant(ctx, (tx) => resolveTenantProvider(tx, ctx.config, tenantId, readPlatformRow));
  await admitRun(ctx, tenantId, options.accountId, resolved);
  const model = resolved.kind === 'offline' ? 'offline' : (resolved.models[agent.id] ?? resolved.defaultModel);
  const started = await withTenant(ctx, (tx) =>
    insertRun(tx, {
      tenantId,
      accountId: options.accountId,
      agent: agent.id,
      agentVersion: agent.version,
      input: parsedInput,
      provider: resolved.kind,
      model,
      workflowType,
      subject: options.subject ?? null,
      requestedBy: ctx.actor?.userId ?? null,
    }),
  );

  // The provider call holds no transaction.
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
      signal: options.signal,
    });
    outcome = { ok: true, result };
  } catch (error) {
    if (!isAiProviderError(error)) {
      await withTenant(ctx, (tx) => updateRun(tx, started.id, { status: 'failed', finished: true, errorCode: 'ai.internal', errorMessage: 'The run failed unexpectedly.' }));
      throw error;
    }
    outcome = { ok: false, usage: error.usage, model: error.model ?? model, code: `ai.${error.kind}`, message: error.message };
  }

  const finished = await withTenant(ctx, async (tx) => {
    const usage = outcome.ok ? outcome.result.usage : outcome.usage;
    const usedModel = outcome.ok ? outcome.result.model : outcome.model;
    const price = (await selectPrice(tx, resolved.kind, usedModel)) ?? (await selectPrice(tx, resolved.kind, model));
    if (!price && resolved.kind !== 'offline') ctx.logger.warn({ provider: resolved.kind, model: usedModel }, 'ai: no price for this model, cost recorded as 0');
    const costMicros = costOf(price, usage);
    await upsertUsageDaily(tx, { tenantId, day: today(), agent: agent.id, provider: resolved.kind, model: usedModel, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costMicros });
    const common = { model: usedModel, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costMicros, finished: true };
    let run: RunRow;
    if (!outcome.ok) {
      run = await updateRun(tx, started.id, { ...common, status: 'failed', errorCode: outcome.code, errorMessage: outcome.message.slice(0, 2000) });
    } else {
      const confidence = calibrateConfidence(agent, parsedInput, outcome.result);
      const output = outcome.result.output as { explanation?: unknown };
      const policy = await getEffectivePolicy(tx, tenantId, workflowType);
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
    await emitEvent(tx, {
      tenantId,
      type: 'ai.run_completed',
      payload: { runId: run.id, accountId: run.account_id, agent: run.agent, workflowType, status: run.status, subject: options.subject ?? null },
    });
    return run;
  });
  return toRunDto(finished);
}

/** The agent's input schema type, for callers that build inputs (campaigns). */
export type AgentInput<Agent extends AgentDefinition> = z.input<Agent['input']>;
