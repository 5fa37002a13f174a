import { AISDKError, APICallError, LoadAPIKeyError, NoObjectGeneratedError, NoOutputGeneratedError } from 'ai';
import { AiProviderError, zeroUsage, type AiProviderKind, type AiUsage } from './types.js';

/** Which call failed, for the error's fields and messages. */
export type CallContext = { provider: AiProviderKind; model: string | null };

const providerLabels: Record<AiProviderKind, string> = {
  'openai-compatible': 'The OpenAI-compatible provider',
  anthropic: 'Anthropic',
  offline: 'The offline provider',
};

export const providerLabel = (provider: AiProviderKind) => providerLabels[provider];

type Headers = Record<string, string | undefined>;

/** Retry-After-Ms, else Retry-After (delta seconds or an HTTP date), in whole seconds; null when absent. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const lookup = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const milliseconds = Number.parseFloat(lookup('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds / 1000);
  const raw = lookup('retry-after')?.trim();
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number.parseFloat(raw));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The error kind for an HTTP answer of the provider: 429 rate_limited, 401/403 auth, 408 timeout,
 * 5xx (Anthropic's 529 "overloaded" included) unavailable, other 4xx bad_request; a 2xx here means a
 * body we could not read, which is the provider's fault (unavailable).
 */
export function classifyHttpFailure(
  context: CallContext,
  status: number,
  headers: Headers | undefined,
  detail: string,
  cause?: unknown,
): AiProviderError {
  const who = providerLabel(context.provider);
  const base = { ...context, status, cause };
  if (status === 429) {
    const retryAfterSeconds = parseRetryAfter(headers);
    const wait = retryAfterSeconds === null ? '' : ` Retry after ${retryAfterSeconds} s.`;
    return new AiProviderError('rate_limited', `${who} is rate limiting this key (HTTP 429: ${detail}).${wait}`, { ...base, retryAfterSeconds });
  }
  if (status === 401 || status === 403) {
    return new AiProviderError('auth', `${who} refused the API key (HTTP ${status}: ${detail}). Check the key in the AI settings.`, base);
  }
  if (status === 408) return new AiProviderError('timeout', `${who} timed out (HTTP 408: ${detail}).`, base);
  if (status >= 500) {
    return new AiProviderError('unavailable', `${who} is unavailable (HTTP ${status}: ${detail}).`, { ...base, retryAfterSeconds: parseRetryAfter(headers) });
  }
  if (status >= 200 && status < 300) return new AiProviderError('unavailable', `${who} sent an answer that could not be read: ${detail}`, base);
  return new AiProviderError('bad_request', `${who} rejected the request (HTTP ${status}: ${detail}).`, base);
}

const usageOf = (usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined): AiUsage => ({
  inputTokens: usage?.inputTokens ?? 0,
  outputTokens: usage?.outputTokens ?? 0,
});

/** The schema problems in a validation failure, as "path: message" lines (zod issues when present). */
export function describeOutputProblem(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const issues = (current as { issues?: unknown }).issues;
    if (Array.isArray(issues) && issues.length > 0) {
      return issues
        .slice(0, 10)
        .map((issue: { path?: unknown[]; message?: string }) => `${issue.path?.length ? issue.path.join('.') : '(root)'}: ${issue.message ?? 'invalid'}`)
        .join('; ');
    }
    if (NoObjectGeneratedError.isInstance(current) && current.cause === undefined) break;
    const next = (current as { cause?: unknown }).cause;
    if (next === undefined) break;
    current = next;
  }
  const message = current instanceof Error ? current.message : String(current);
  return message.slice(0, 500);
}

/** A refusal: the model's words when it gave any. */
export function refusal(context: CallContext, text: string | undefined, usage: AiUsage): AiProviderError {
  const words = text?.trim() ? `: "${text.trim().slice(0, 300)}"` : '.';
  return new AiProviderError('refused', `${providerLabel(context.provider)} refused to answer${words}`, { ...context, usage });
}

/**
 * Turn what the ai SDK threw into an AiProviderError. Errors that are not the SDK's (bugs) are returned
 * unchanged so they are not disguised as provider trouble.
 */
export function classifyAiError(error: unknown, context: CallContext): unknown {
  if (error instanceof AiProviderError) return error;
  const who = providerLabel(context.provider);
  if (NoObjectGeneratedError.isInstance(error)) {
    const usage = usageOf(error.usage);
    if (error.finishReason === 'content-filter') return refusal(context, error.text, usage);
    if (error.finishReason === 'length') {
      return new AiProviderError('invalid_output', `${who} stopped at the output token limit before the answer was complete.`, { ...context, usage, cause: error });
    }
    return new AiProviderError('invalid_output', `${who} answered with output that does not match the schema: ${describeOutputProblem(error)}`, {
      ...context,
      usage,
      cause: error,
    });
  }
  if (NoOutputGeneratedError.isInstance(error)) {
    return new AiProviderError('invalid_output', `${who} gave no answer.`, { ...context, cause: error, usage: zeroUsage() });
  }
  if (APICallError.isInstance(error)) {
    if (error.statusCode === undefined) {
      return new AiProviderError('unavailable', `${who} could not be reached at ${new URL(error.url).origin}: ${error.message}`, { ...context, cause: error });
    }
    return classifyHttpFailure(context, error.statusCode, error.responseHeaders, error.message, error);
  }
  if (LoadAPIKeyError.isInstance(error)) return new AiProviderError('auth', `${who} has no API key configured.`, { ...context, cause: error });
  if (AISDKError.isInstance(error)) return new AiProviderError('unavailable', `${who} failed: ${error.message}`, { ...context, cause: error });
  return error;
}
