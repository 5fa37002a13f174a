import type { AiWorkflowType } from '@omni/contracts/ai';
import { z } from 'zod';
import { offlineRefusal, registerOfflineHandler, type OfflineNlp } from '../../../kernel/ai/index.js';

/**
 * An agent (docs/design/ai-agents.md §4): zod input and output (the output always carries confidence and
 * explanation), the system prompt, the prompt builder and the offline behaviour. Output schemas follow
 * OpenAI's strict mode: every property required, optional values written `.nullable()`.
 */
export type AgentDefinition<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> = {
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

/** The confidence and explanation every output carries. */
export const confidenceFields = {
  confidence: z.number().min(0).max(1).describe('Your confidence in this result, from 0 (a guess) to 1 (certain).'),
  explanation: z.string().min(1).describe('Why this result: the reasoning a reviewer needs, in one to three sentences.'),
};

/** Offline results say so in their explanation. */
export const offlineLabel = '[offline: rule-based, no AI model]';

/** Define an agent and register its offline behaviour in the process-wide registry. */
export function defineAgent<Input extends z.ZodType, Output extends z.ZodType>(definition: AgentDefinition<Input, Output>): AgentDefinition<Input, Output> {
  const offline = definition.offline;
  registerOfflineHandler(definition.id, (raw, { nlp }) => {
    if (!offline) throw offlineRefusal(definition.offlineRefusalMessage ?? `The agent "${definition.id}" needs an AI model: configure a provider in the AI settings.`);
    return offline(definition.input.parse(raw), nlp);
  });
  return definition;
}

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
export const clamp = (value: number, low = 0, high = 1) => Math.min(high, Math.max(low, value));
