import type { UpdatePlatformAiSettingsBody } from '@omni/contracts/ai';
import { describe, expect, it } from 'vitest';
import { withConfiguredPlatformKey } from './ai.service.js';

/** The first save of the platform provider, when the server's configuration stood in for it until then. */
describe('ai: the configured platform key on the first save', () => {
  const config = { AI_PROVIDER: 'openai-compatible' as const, AI_BASE_URL: 'https://llm.example.com/v1', AI_API_KEY: 'sk-configured-0123456789' };
  const body = (changes: Partial<UpdatePlatformAiSettingsBody> = {}): UpdatePlatformAiSettingsBody => ({
    kind: 'openai-compatible',
    baseUrl: 'https://llm.example.com/v1',
    defaultModel: 'gpt-4o-mini',
    models: {},
    requestsPerMinute: 60,
    enabled: true,
    allowPrivateBaseUrls: false,
    ...changes,
  });

  it('keeps AI_API_KEY when the key is left out and the provider and base URL are the configured ones', () => {
    expect(withConfiguredPlatformKey(config, body()).apiKey).toBe(config.AI_API_KEY);
  });

  it('takes a key that was given, and a removal (null), as they are', () => {
    expect(withConfiguredPlatformKey(config, body({ apiKey: 'sk-typed-in-0123456789' })).apiKey).toBe('sk-typed-in-0123456789');
    expect(withConfiguredPlatformKey(config, body({ apiKey: null })).apiKey).toBeNull();
  });

  it('never sends the configured key to another endpoint or provider', () => {
    expect(withConfiguredPlatformKey(config, body({ baseUrl: 'https://other.example.com/v1' })).apiKey).toBeUndefined();
    expect(withConfiguredPlatformKey(config, body({ kind: 'anthropic', baseUrl: null })).apiKey).toBeUndefined();
    expect(withConfiguredPlatformKey(config, body({ kind: 'offline', baseUrl: null })).apiKey).toBeUndefined();
  });

  it('has nothing to keep without a configured key', () => {
    expect(withConfiguredPlatformKey({ ...config, AI_API_KEY: undefined }, body()).apiKey).toBeUndefined();
  });
});
