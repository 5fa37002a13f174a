import type { AiWorkflowType } from '@omni/contracts/ai';
import { z } from 'zod';
import type { Tx } from '../../../kernel/db/database.js';
import { offlineRefusal, registerOfflineHandler, type OfflineNlp } from '../../../kernel/ai/index.js';

/**
 * An agent (docs/design/ai-agents.md §4): zod input and output (the output always carries confidence and
 * explanation), the system prompt, the prompt builder and the offline behaviour. Output schemas follow
 * OpenAI's strict mode: every property required, optional values written `.nullable()`.
 */
export type LlmAgentDefinition<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> = {
  kind: 'llm';
  id: string;
  version: number;
  workflowType: AiWorkflowType;
  description: string;
  input: Input;
  output: Output;
  system: string;
  maxOutputTokens?: number;
  buildPrompt(input: z.output<Input>): string;
  /** Deterministic local result; null: the agent cannot work offline (it refuses with `offlineRefusal`). */
  offline: ((input: z.output<Input>, nlp: OfflineNlp) => z.output<Output>) | null;
  /** Why offline refuses (when offline is null). */
  offlineRefusalMessage?: string;
  /** A factor ≤ 1 from checks we can compute on the result (network-rule violations ×0.7). */
  calibrate?(input: z.output<Input>, output: z.output<Output>): number;
};

/**
 * An agent that is a statistical model trained on the tenant's own data (the performance predictor): same
 * contract (zod input and output with confidence and explanation), no provider call, no tokens, no cost.
 * `compute` runs in the caller's tenant transaction; the account comes from the run.
 */
export type ModelAgentDefinition<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> = {
  kind: 'model';
  id: string;
  version: number;
  workflowType: AiWorkflowType;
  description: string;
  input: Input;
  output: Output;
  /** The model's name recorded on runs (provider 'model'). */
  modelName: string;
  compute(tx: Tx, input: z.output<Input>, context: { accountId: string }): Promise<z.output<Output>>;
};

export type AgentDefinition<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> = LlmAgentDefinition<Input, Output> | ModelAgentDefinition<Input, Output>;

/** The confidence and explanation every output carries. */
export const confidenceFields = {
  confidence: z.number().min(0).max(1).describe('Your confidence in this result, from 0 (a guess) to 1 (certain).'),
  explanation: z.string().min(1).describe('Why this result: the reasoning a reviewer needs, in one to three sentences.'),
};

/** Offline results say so in their explanation. */
export const offlineLabel = '[offline: rule-based, no AI model]';

/** Define an agent and register its offline behaviour in the process-wide registry. */
export function defineAgent<Input extends z.ZodType, Output extends z.ZodType>(definition: Omit<LlmAgentDefinition<Input, Output>, 'kind'>): LlmAgentDefinition<Input, Output> {
  const offline = definition.offline;
  registerOfflineHandler(definition.id, (raw, { nlp }) => {
    if (!offline) throw offlineRefusal(definition.offlineRefusalMessage ?? `The agent "${definition.id}" needs an AI model: configure a provider in the AI settings.`);
    return offline(definition.input.parse(raw), nlp);
  });
  return { kind: 'llm', ...definition };
}

/** Define a model agent (no LLM, no offline handler: it works the same everywhere). */
export function defineModelAgent<Input extends z.ZodType, Output extends z.ZodType>(definition: Omit<ModelAgentDefinition<Input, Output>, 'kind'>): ModelAgentDefinition<Input, Output> {
  return { kind: 'model', ...definition };
}

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
export const clamp = (value: number, low = 0, high = 1) => Math.min(high, Math.max(low, value));
