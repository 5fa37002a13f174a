import type { z } from 'zod';
import { describeOutputProblem } from '../classify.js';
import { AiProviderError, type AiGenerateRequest, type AiProvider } from '../types.js';
import { getOfflineNlp, type OfflineNlp } from './nlp.js';

/** What an agent's offline handler gets besides its input. */
export type OfflineContext = { nlp: OfflineNlp; system: string; prompt: string };

/**
 * An agent's offline behaviour (docs/design/ai-agents.md §4): templates and wink-nlp over the agent's
 * structured input. Must be deterministic: the same input gives the same output. Throw
 * `offlineRefusal(...)` for what cannot be done offline (translation).
 */
export type OfflineHandler = (input: unknown, context: OfflineContext) => unknown;

export type OfflineHandlerRegistry = {
  register(agentId: string, handler: OfflineHandler): void;
  get(agentId: string): OfflineHandler | undefined;
  agents(): string[];
};

export const offlineModel = 'offline';

export function createOfflineHandlerRegistry(): OfflineHandlerRegistry {
  const handlers = new Map<string, OfflineHandler>();
  return {
    register(agentId, handler) {
      const existing = handlers.get(agentId);
      if (existing && existing !== handler) throw new Error(`An offline handler for agent "${agentId}" is already registered`);
      handlers.set(agentId, handler);
    },
    get: (agentId) => handlers.get(agentId),
    agents: () => [...handlers.keys()].sort(),
  };
}

/** The process-wide registry the agents register into when their definitions load. */
export const offlineHandlers = createOfflineHandlerRegistry();

/** Register an agent's offline handler in the process-wide registry. */
export function registerOfflineHandler(agentId: string, handler: OfflineHandler): void {
  offlineHandlers.register(agentId, handler);
}

/** The failure an offline handler throws for work it cannot do without a model. */
export function offlineRefusal(message: string): AiProviderError {
  return new AiProviderError('refused', message, { provider: 'offline', model: offlineModel });
}

/**
 * The provider without a model: each agent's registered handler computes the answer locally. Results
 * say provider 'offline' and cost no tokens; the output is checked against the request's schema like a
 * model's (a mismatch is a bug in the handler and fails as invalid_output).
 */
export function createOfflineProvider(options: { handlers?: OfflineHandlerRegistry; nlp?: () => OfflineNlp } = {}): AiProvider {
  const registry = options.handlers ?? offlineHandlers;
  const nlp = options.nlp ?? getOfflineNlp;
  return {
    kind: 'offline',
    defaultModel: offlineModel,
    async generate<Schema extends z.ZodType>(request: AiGenerateRequest<Schema>) {
      request.signal?.throwIfAborted();
      const handler = registry.get(request.agent);
      if (!handler) {
        throw offlineRefusal(
          `The offline provider cannot run the agent "${request.agent}": it has no offline behaviour. Configure an AI provider (OpenAI-compatible or Anthropic) in the AI settings to use it.`,
        );
      }
      const raw = await handler(request.input, { nlp: nlp(), system: request.system, prompt: request.prompt });
      const parsed = request.schema.safeParse(raw);
      if (!parsed.success) {
        throw new AiProviderError(
          'invalid_output',
          `The offline behaviour of the agent "${request.agent}" produced output that does not match its schema: ${describeOutputProblem(parsed.error)}`,
          { provider: 'offline', model: offlineModel },
        );
      }
      return {
        output: parsed.data as z.output<Schema>,
        usage: { inputTokens: 0, outputTokens: 0 },
        model: offlineModel,
        provider: 'offline' as const,
        finishReason: 'stop' as const,
        attempts: 1,
      };
    },
    async listModels() {
      return [offlineModel];
    },
  };
}
