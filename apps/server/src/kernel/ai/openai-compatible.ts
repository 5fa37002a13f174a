import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createLlmProvider, type AiFetch } from './generate.js';
import type { AiProvider } from './types.js';

export type OpenAiCompatibleSettings = {
  kind: 'openai-compatible';
  /** Up to and including the version segment: https://api.openai.com/v1, http://localhost:11434/v1 (Ollama). */
  baseUrl: string;
  /** Sent as a bearer token; local servers (Ollama, LM Studio) may not need one. */
  apiKey?: string;
  /** The default model id; a request may name another. */
  model: string;
  /**
   * Send the schema as response_format json_schema (strict). True by default (OpenAI, vLLM, Ollama, LM
   * Studio support it); false falls back to json_object, with the schema only validated on our side.
   */
  supportsStructuredOutputs?: boolean;
  timeoutMs?: number;
  fetch?: AiFetch;
};

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** OpenAI and every server speaking its chat completions API, through @ai-sdk/openai-compatible. */
export function createOpenAiCompatibleProvider(settings: OpenAiCompatibleSettings): AiProvider {
  const baseUrl = trimSlash(settings.baseUrl);
  const client = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: baseUrl,
    apiKey: settings.apiKey,
    supportsStructuredOutputs: settings.supportsStructuredOutputs ?? true,
    includeUsage: true,
    fetch: settings.fetch,
  });
  return createLlmProvider({
    kind: 'openai-compatible',
    defaultModel: settings.model,
    languageModel: (modelId) => client.chatModel(modelId),
    timeoutMs: settings.timeoutMs,
    modelsUrl: `${baseUrl}/models`,
    modelsHeaders: settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {},
    fetch: settings.fetch,
  });
}
