import { generateText, NoObjectGeneratedError, Output, type LanguageModel } from 'ai';
import type { z } from 'zod';
import { classifyAiError, classifyHttpFailure, describeOutputProblem, providerLabel, refusal, type CallContext } from './classify.js';
import {
  addUsage,
  AiProviderError,
  zeroUsage,
  type AiFinishReason,
  type AiGenerateRequest,
  type AiGenerateResult,
  type AiProvider,
  type AiProviderKind,
  type AiUsage,
} from './types.js';

/** AI_CALL_TIMEOUT_SECONDS' default: one deadline for a whole generate call. */
export const defaultAiTimeoutMs = 60_000;

/** The fetch the SDK and listModels use; injectable so a caller can route through a guarded fetch. */
export type AiFetch = typeof globalThis.fetch;

/**
 * A deadline joined with the caller's signal. `settle` maps an abort to the right failure: the caller's
 * abort rethrows its reason (the caller knows why), our deadline becomes a 'timeout' AiProviderError.
 */
function deadline(context: CallContext, timeoutMs: number, callerSignal: AbortSignal | undefined) {
  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeoutSignal]) : timeoutSignal;
  return {
    signal,
    /** The failure to throw for `error`, when one of the signals caused it. */
    abortFailure(usage: AiUsage): unknown {
      if (callerSignal?.aborted) return callerSignal.reason;
      if (timeoutSignal.aborted) {
        return new AiProviderError('timeout', `${providerLabel(context.provider)} did not answer within ${timeoutMs} ms.`, { ...context, usage });
      }
      return null;
    },
  };
}

/** What the model is told after an answer failed the schema: the problem, and to answer again. */
export function retryInstruction(problem: string): string {
  return [
    'Your previous answer was rejected because it does not match the required JSON schema.',
    `Problems: ${problem}`,
    'Answer again with only a JSON object that matches the schema exactly.',
  ].join('\n');
}

type Attempt<Output> = { output: Output; usage: AiUsage; model: string; finishReason: AiFinishReason };

async function attempt<Schema extends z.ZodType>(
  model: LanguageModel,
  context: CallContext,
  request: AiGenerateRequest<Schema>,
  prompt: string,
  signal: AbortSignal,
): Promise<Attempt<z.output<Schema>>> {
  const result = await generateText({
    model,
    system: request.system,
    prompt,
    output: Output.object({ schema: request.schema }),
    maxOutputTokens: request.maxOutputTokens,
    // No blind retries inside the seam: rate limits and outages go back to the caller with their kind.
    maxRetries: 0,
    abortSignal: signal,
  });
  const usage = { inputTokens: result.totalUsage.inputTokens ?? 0, outputTokens: result.totalUsage.outputTokens ?? 0 };
  if (result.finishReason === 'content-filter') throw refusal(context, result.text, usage);
  let output: z.output<Schema>;
  try {
    output = result.output as z.output<Schema>;
  } catch (error) {
    throw (classifyAiError(error, context) as AiProviderError).withUsage(usage);
  }
  return { output, usage, model: result.response.modelId || (context.model ?? ''), finishReason: result.finishReason };
}

/** An answer that was complete but failed the schema: worth one more try with the problem spelled out. */
function isSchemaFailure(error: AiProviderError): boolean {
  return error.kind === 'invalid_output' && NoObjectGeneratedError.isInstance(error.cause) && error.cause.finishReason !== 'length';
}

/**
 * One structured-output call through the ai SDK with the seam's rules: a deadline, failures classified
 * into AiProviderError kinds, and one retry when the answer fails the schema, with the validation problem
 * appended to the prompt. Usage adds up over both attempts.
 */
export async function generateStructured<Schema extends z.ZodType>(
  options: { provider: AiProviderKind; model: LanguageModel; modelId: string; timeoutMs: number },
  request: AiGenerateRequest<Schema>,
): Promise<AiGenerateResult<z.output<Schema>>> {
  const context: CallContext = { provider: options.provider, model: options.modelId };
  const timer = deadline(context, request.timeoutMs ?? options.timeoutMs, request.signal);
  let usage = zeroUsage();
  let prompt = request.prompt;
  for (let attempts = 1; ; attempts += 1) {
    try {
      const answer = await attempt(options.model, context, request, prompt, timer.signal);
      return { ...answer, usage: addUsage(usage, answer.usage), provider: options.provider, attempts };
    } catch (error) {
      const classified = classifyAiError(error, context);
      if (classified instanceof AiProviderError) usage = addUsage(usage, classified.usage);
      const aborted = timer.abortFailure(usage);
      if (aborted) throw aborted;
      if (!(classified instanceof AiProviderError)) throw classified;
      if (attempts === 1 && isSchemaFailure(classified)) {
        prompt = `${request.prompt}\n\n${retryInstruction(describeOutputProblem(classified.cause ?? classified))}`;
        continue;
      }
      throw classified.withUsage(usage);
    }
  }
}

/** GET <baseUrl>/models and the ids in its `data` list (both APIs answer { data: [{ id }] }). */
export async function fetchModelIds(
  context: CallContext,
  options: { url: string; headers: Record<string, string>; timeoutMs: number; signal?: AbortSignal; fetch?: AiFetch },
): Promise<string[]> {
  const timer = deadline(context, options.timeoutMs, options.signal);
  try {
    const response = await (options.fetch ?? fetch)(options.url, { headers: options.headers, signal: timer.signal });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const detail = (body as { error?: { message?: string } } | null)?.error?.message ?? (text.slice(0, 200) || response.statusText);
    if (!response.ok) throw classifyHttpFailure(context, response.status, Object.fromEntries(response.headers), detail);
    const data = (body as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw classifyHttpFailure(context, response.status, undefined, 'the model list has no data array');
    return data.map((entry: { id?: unknown }) => entry.id).filter((id): id is string => typeof id === 'string');
  } catch (error) {
    if (error instanceof AiProviderError) throw error;
    const aborted = timer.abortFailure(zeroUsage());
    if (aborted) throw aborted;
    throw new AiProviderError('unavailable', `${providerLabel(context.provider)} could not be reached at ${new URL(options.url).origin}.`, {
      ...context,
      cause: error,
    });
  }
}

/** An AiProvider over an SDK language model factory: generate with the seam's rules, listModels over HTTP. */
export function createLlmProvider(options: {
  kind: Exclude<AiProviderKind, 'offline'>;
  defaultModel: string;
  languageModel: (modelId: string) => LanguageModel;
  timeoutMs: number | undefined;
  modelsUrl: string;
  modelsHeaders: Record<string, string>;
  fetch: AiFetch | undefined;
}): AiProvider {
  const timeoutMs = options.timeoutMs ?? defaultAiTimeoutMs;
  return {
    kind: options.kind,
    defaultModel: options.defaultModel,
    generate(request) {
      const modelId = request.model ?? options.defaultModel;
      return generateStructured({ provider: options.kind, model: options.languageModel(modelId), modelId, timeoutMs }, request);
    },
    listModels(listOptions = {}) {
      return fetchModelIds(
        { provider: options.kind, model: null },
        { url: options.modelsUrl, headers: options.modelsHeaders, timeoutMs: listOptions.timeoutMs ?? timeoutMs, signal: listOptions.signal, fetch: options.fetch },
      );
    },
  };
}
