import type { OmniModule } from '../../kernel/module.js';
import './ai.permissions.js';
import { aiRoutes } from './ai.routes.js';
import { aiJobs, subscribeAi } from './ai.review.js';
import { runAgentJob } from './ai.runs.js';
import { predictorJobs } from './predictor/index.js';

/**
 * The ai module: provider settings (platform default, a tenant's own key), the agent catalogue and runs,
 * usage and cost per tenant/agent/day, budgets, rate limits and the human-in-the-loop policies and their
 * routing through approvals. Routes under /api/ai and /api/platform/ai. See modules/ai/README.md.
 */
export function aiModule(): OmniModule {
  return { name: 'ai', routes: async (app) => aiRoutes(app), jobs: [...aiJobs, runAgentJob, ...predictorJobs], subscribe: subscribeAi };
}

export {
  /**
   * Run one agent for the context's tenant (budget, rate limit, provider call, usage, HITL routing) and
   * return the run: approved (auto), awaiting_review (an approvals request of subject type 'ai_run'), or
   * failed. Throws 404 ai.agent_not_found, 422 ai.invalid_input, 402 ai.budget_exceeded, 429 ai.rate_limited.
   * The decision arrives later as the event ai.run_decided {runId, outcome, …}.
   */
  runAgent,
  /**
   * Queue a run in the caller's transaction (validated now: 404/422), executed by the job ai.run-agent
   * (budget and rate limit applied then). Returns the queued run; the outcome arrives as ai.run_completed
   * and ai.run_decided (subject as given).
   */
  queueAgentRun,
  /**
   * Withdraw a run its requester no longer wants (a cancelled workflow run), in the caller's transaction:
   * queued → failed (ai.withdrawn, never billed); awaiting review → its request withdrawn, rejected.
   */
  withdrawAgentRun,
  type AiRunContext,
  type RunAgentOptions,
} from './ai.runs.js';

export {
  /** Runs by id in the caller's transaction, as the API shows them (ids of other tenants match nothing). */
  getAgentRuns,
} from './ai.runs-read.js';

export {
  /** The approvals subject type of AI results waiting for review. */
  aiRunSubjectType,
} from './ai.review.js';

export {
  /** Look an agent up in the catalogue (its input/output schemas and offline behaviour). */
  findAgent,
  agentCatalogue,
} from './agents/catalogue.js';

export {
  /** Define an agent: zod input/output, prompts and offline behaviour (registered on definition). */
  defineAgent,
  defineModelAgent,
  confidenceFields,
  type AgentDefinition,
} from './agents/define.js';

export {
  /** The HITL policy in force for a workflow type of the tenant (locked platform > tenant > platform > default), in the caller's transaction. */
  getEffectivePolicy as getEffectiveHitlPolicy,
  type EffectivePolicy as EffectiveHitlPolicy,
} from './ai.policies.js';

/** The ai permission names. */
export { aiPermissions } from './ai.permissions.js';

/** The performance predictor: predictions with fallbacks, training, and its nightly job (predictor/README.md). */
export * from './predictor/index.js';
