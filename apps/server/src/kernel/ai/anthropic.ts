import { createAnthropic } from '@ai-sdk/anthropic';
import { createLlmProvider, type AiFetch } from './generate.js';
import type { AiProvider } from './types.js';

export type AnthropicSettings = {
  kind: 'anthropic';
  /** https://api.anthropic.com/v1 unless set (tests point it at test/fakes/anthropic.ts). */
  baseUrl?: string;
  apiKey: string;
  model: string;
  timeoutMs?: number;
  fetch?: AiFetch;
};

export const anthropicDefaultBaseUrl = 'https://api.anthropic.com/v1';
/** The API version header the SDK sends too. */
const anthropicVersion = '2023-06-01';

/**
 * Anthropic's Messages API through @ai-sdk/anthropic. The SDK picks the structured-output mechanism per
 * model: native output_config.format (json_schema) where the model supports it, else a forced "json" tool.
 */
export function createAnthropicProvider(settings: AnthropicSettings): AiProvider {
  const baseUrl = (settings.baseUrl ?? anthropicDefaultBaseUrl).replace(/\/+$/, '');
  const client = createAnthropic({ baseURL: baseUrl, apiKey: settings.apiKey, fetch: settings.fetch });
  return createLlmProvider({
    kind: 'anthropic',
    defaultModel: settings.model,
    languageModel: (modelId) => client.messages(modelId),
    timeoutMs: settings.timeoutMs,
    modelsUrl: `${baseUrl}/models`,
    modelsHeaders: { 'x-api-key': settings.apiKey, 'anthropic-version': anthropicVersion },
    fetch: settings.fetch,
  });
}
