import { createAnthropicProvider, type AnthropicSettings } from './anthropic.js';
import { createOfflineProvider, type OfflineHandlerRegistry } from './offline/index.js';
import { createOpenAiCompatibleProvider, type OpenAiCompatibleSettings } from './openai-compatible.js';
import type { AiProvider } from './types.js';

export * from './types.js';
export * from './offline/index.js';
export { anthropicDefaultBaseUrl, createAnthropicProvider, type AnthropicSettings } from './anthropic.js';
export { createOpenAiCompatibleProvider, type OpenAiCompatibleSettings } from './openai-compatible.js';
export { parseRetryAfter } from './classify.js';
export { defaultAiTimeoutMs, retryInstruction, type AiFetch } from './generate.js';

export type OfflineSettings = { kind: 'offline'; handlers?: OfflineHandlerRegistry };

/** A provider's settings: the platform default (AI_* config) or a tenant's own row (the ai module decides). */
export type AiProviderSettings = OpenAiCompatibleSettings | AnthropicSettings | OfflineSettings;

/** The provider for these settings. Creating one is cheap and opens no connection. */
export function createAiProvider(settings: AiProviderSettings): AiProvider {
  switch (settings.kind) {
    case 'openai-compatible':
      return createOpenAiCompatibleProvider(settings);
    case 'anthropic':
      return createAnthropicProvider(settings);
    case 'offline':
      return createOfflineProvider({ handlers: settings.handlers });
  }
}
