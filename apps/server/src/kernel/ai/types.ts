import type { z } from 'zod';

/** The three provider kinds (docs/design/ai-agents.md §2). */
export type AiProviderKind = 'openai-compatible' | 'anthropic' | 'offline';

export type AiUsage = { inputTokens: number; outputTokens: number };

/** The SDK's unified finish reasons; a successful structured answer normally ends with 'stop'. */
export type AiFinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other';

export type AiGenerateRequest<Schema extends z.ZodType = z.ZodType> = {
  /** The agent id ('copywriter'): the offline provider dispatches on it; LLM providers ignore it. */
  agent: string;
  /** The agent's structured input, handed to its offline handler; LLM providers use `prompt` instead. */
  input?: unknown;
  system: string;
  prompt: string;
  /** The output schema: sent to the model as JSON schema and validated on the way back. */
  schema: Schema;
  /** Overrides the provider's default model for this call. */
  model?: string;
  maxOutputTokens?: number;
  /** The caller's cancellation: when it aborts, generate rejects with the signal's reason. */
  signal?: AbortSignal;
  /** One deadline for the whole call (the retry included); overrides the provider's default. */
  timeoutMs?: number;
};

export type AiGenerateResult<Output> = {
  output: Output;
  /** Tokens of every attempt, the failed one included: they were billed. */
  usage: AiUsage;
  /** The model that answered (as the provider reports it). */
  model: string;
  provider: AiProviderKind;
  finishReason: AiFinishReason;
  /** 2 when the first answer failed the schema and the retry succeeded (confidence calibration uses it). */
  attempts: number;
};

export type AiProvider = {
  readonly kind: AiProviderKind;
  readonly defaultModel: string;
  /** One structured-output call. Failures are AiProviderError (or the caller's abort reason). */
  generate<Schema extends z.ZodType>(request: AiGenerateRequest<Schema>): Promise<AiGenerateResult<z.output<Schema>>>;
  /** The model ids the endpoint offers: doubles as the "test connection" of a key. */
  listModels(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<string[]>;
};

export type AiErrorKind = 'rate_limited' | 'unavailable' | 'timeout' | 'invalid_output' | 'refused' | 'auth' | 'bad_request';

const retryableKinds = new Set<AiErrorKind>(['rate_limited', 'unavailable', 'timeout']);

/**
 * Why a provider call failed, as the callers branch on it: rate_limited (wait retryAfterSeconds),
 * unavailable / timeout (try again later), invalid_output (the answer failed the schema twice), refused
 * (the model or the offline provider declined), auth (key missing, wrong or without access), bad_request
 * (the request or the model name is wrong: retrying will not help).
 */
export class AiProviderError extends Error {
  readonly kind: AiErrorKind;
  readonly provider: AiProviderKind;
  readonly model: string | null;
  /** The HTTP status of the provider's answer, when there was one. */
  readonly status: number | null;
  /** From Retry-After (rate_limited, sometimes unavailable); null when the provider did not say. */
  readonly retryAfterSeconds: number | null;
  /** Tokens spent before the failure (a schema failure still costs its tokens). */
  readonly usage: AiUsage;

  constructor(
    kind: AiErrorKind,
    message: string,
    details: {
      provider: AiProviderKind;
      model?: string | null;
      status?: number | null;
      retryAfterSeconds?: number | null;
      usage?: AiUsage;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AiProviderError';
    this.kind = kind;
    this.provider = details.provider;
    this.model = details.model ?? null;
    this.status = details.status ?? null;
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
    this.usage = details.usage ?? { inputTokens: 0, outputTokens: 0 };
  }

  /** Worth trying again later (rate_limited, unavailable, timeout); the others need a change first. */
  get isRetryable(): boolean {
    return retryableKinds.has(this.kind);
  }

  /** The same failure with other token figures (the usage of all attempts). */
  withUsage(usage: AiUsage): AiProviderError {
    return new AiProviderError(this.kind, this.message, { ...this, usage, cause: this.cause });
  }
}

export function isAiProviderError(error: unknown): error is AiProviderError {
  return error instanceof AiProviderError;
}

export const zeroUsage = (): AiUsage => ({ inputTokens: 0, outputTokens: 0 });

export function addUsage(left: AiUsage, right: AiUsage): AiUsage {
  return { inputTokens: left.inputTokens + right.inputTokens, outputTokens: left.outputTokens + right.outputTokens };
}
