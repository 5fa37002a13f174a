import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { FakeAiReply } from '../../../test/fakes/ai-common.js';
import { startAnthropicFake, type FakeAnthropic } from '../../../test/fakes/anthropic.js';
import { startOpenAiCompatibleFake, type FakeOpenAiCompatible } from '../../../test/fakes/openai-compatible.js';
import { AiProviderError, createAiProvider, parseRetryAfter, type AiGenerateRequest, type AiProvider } from './index.js';

const draftSchema = z.object({
  headline: z.string().min(3),
  hashtags: z.array(z.string()),
  confidence: z.number().min(0).max(1),
});
const goodDraft = { headline: 'Autumn sale starts today', hashtags: ['autumn', 'sale'], confidence: 0.82 };

const request = (overrides: Partial<AiGenerateRequest<typeof draftSchema>> = {}): AiGenerateRequest<typeof draftSchema> => ({
  agent: 'copywriter',
  system: 'You write social media posts.',
  prompt: 'Announce the autumn sale.',
  schema: draftSchema,
  ...overrides,
});

/** The last user message's text, whichever wire format carried it. */
function lastPrompt(body: Record<string, unknown>): string {
  const messages = body.messages as Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
  const content = messages.filter((message) => message.role === 'user').at(-1)!.content;
  return typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('');
}

async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AiProviderError);
  return error as AiProviderError;
}

type Harness = {
  provider(options?: { apiKey?: string; model?: string }): AiProvider;
  reply(...replies: FakeAiReply[]): void;
  calls(): Array<Record<string, unknown>>;
  models: string[];
};

/** The behaviour both LLM providers share, each against its own fake. */
function behavesLikeAnLlmProvider(name: string, kind: 'openai-compatible' | 'anthropic', open: () => Harness) {
  describe(`${name}: shared behaviour`, () => {
    it('returns the structured output, the usage the provider reported, the model and the provider', async () => {
      const harness = open();
      harness.reply({ kind: 'object', value: goodDraft, usage: { inputTokens: 120, outputTokens: 34 } });
      const result = await harness.provider().generate(request());
      expect(result).toEqual({ output: goodDraft, usage: { inputTokens: 120, outputTokens: 34 }, model: harness.models[0], provider: kind, finishReason: 'stop', attempts: 1 });
    });

    it('uses the model a request names instead of the default', async () => {
      const harness = open();
      const result = await harness.provider().generate(request({ model: harness.models[1] }));
      expect(result.model).toBe(harness.models[1]);
      expect(harness.calls().at(-1)!.model).toBe(harness.models[1]);
      expect(draftSchema.parse(result.output)).toEqual(result.output);
    });

    it('maps 429 to rate_limited with the Retry-After seconds, without retrying by itself', async () => {
      const harness = open();
      const before = harness.calls().length;
      harness.reply({ kind: 'rate_limited', retryAfterSeconds: 17 });
      const error = await failure(harness.provider().generate(request()));
      expect(error).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 17, status: 429, provider: kind, isRetryable: true });
      expect(harness.calls().length - before).toBe(1);
    });

    it('maps 500 to unavailable, once', async () => {
      const harness = open();
      const before = harness.calls().length;
      harness.reply({ kind: 'server_error' });
      const error = await failure(harness.provider().generate(request()));
      expect(error).toMatchObject({ kind: 'unavailable', status: 500, isRetryable: true });
      expect(harness.calls().length - before).toBe(1);
    });

    it('ends a call that does not answer in time as timeout', async () => {
      const harness = open();
      harness.reply({ kind: 'hang' });
      const error = await failure(harness.provider().generate(request({ timeoutMs: 300 })));
      expect(error.kind).toBe('timeout');
      expect(error.message).toContain('300 ms');
    });

    it("rejects with the caller's reason when the caller aborts", async () => {
      const harness = open();
      harness.reply({ kind: 'hang' });
      const before = harness.calls().length;
      const controller = new AbortController();
      const pending = harness.provider().generate(request({ signal: controller.signal }));
      // Abort once the call is in flight (the fake has taken the scripted hang).
      await vi.waitFor(() => expect(harness.calls().length).toBe(before + 1));
      controller.abort(new Error('run cancelled'));
      await expect(pending).rejects.toThrow('run cancelled');
    });

    it('retries malformed JSON once with the problem appended, then fails as invalid_output with both attempts billed', async () => {
      const harness = open();
      const before = harness.calls().length;
      harness.reply(
        { kind: 'text', text: '{"headline": "Autumn', usage: { inputTokens: 100, outputTokens: 5 } },
        { kind: 'text', text: 'Sure! Here is your post.', usage: { inputTokens: 150, outputTokens: 7 } },
      );
      const error = await failure(harness.provider().generate(request()));
      expect(error).toMatchObject({ kind: 'invalid_output', isRetryable: false, usage: { inputTokens: 250, outputTokens: 12 } });
      const calls = harness.calls().slice(before);
      expect(calls).toHaveLength(2);
      expect(lastPrompt(calls[0]!)).toBe('Announce the autumn sale.');
      expect(lastPrompt(calls[1]!)).toContain('Announce the autumn sale.');
      expect(lastPrompt(calls[1]!)).toContain('does not match the required JSON schema');
    });

    it('succeeds on the retry when the second answer fits, telling the model which field was wrong', async () => {
      const harness = open();
      const before = harness.calls().length;
      harness.reply(
        { kind: 'object', value: { ...goodDraft, confidence: 7 }, usage: { inputTokens: 100, outputTokens: 20 } },
        { kind: 'object', value: goodDraft, usage: { inputTokens: 140, outputTokens: 20 } },
      );
      const result = await harness.provider().generate(request());
      expect(result).toMatchObject({ output: goodDraft, attempts: 2, usage: { inputTokens: 240, outputTokens: 40 } });
      expect(lastPrompt(harness.calls()[before + 1]!)).toMatch(/confidence: Too big/);
    });

    it('maps a refusal to refused with the model words, without a retry', async () => {
      const harness = open();
      const before = harness.calls().length;
      harness.reply({ kind: 'refusal', message: "I can't help with that request." });
      const error = await failure(harness.provider().generate(request()));
      expect(error.kind).toBe('refused');
      expect(error.message).toContain("I can't help with that request.");
      expect(harness.calls().length - before).toBe(1);
    });

    it('maps a wrong key to auth, and lists the models with the right one', async () => {
      const harness = open();
      const error = await failure(harness.provider({ apiKey: 'wrong-key' }).generate(request()));
      expect(error).toMatchObject({ kind: 'auth', status: 401, isRetryable: false });
      await expect(harness.provider().listModels()).resolves.toEqual(harness.models);
      expect((await failure(harness.provider({ apiKey: 'wrong-key' }).listModels())).kind).toBe('auth');
    });

    it('maps an unknown model to bad_request', async () => {
      const harness = open();
      const error = await failure(harness.provider({ model: 'no-such-model' }).generate(request()));
      expect(error).toMatchObject({ kind: 'bad_request', status: 404 });
    });

    it('fails an answer cut off at maxOutputTokens as invalid_output without a retry', async () => {
      const harness = open();
      const before = harness.calls().length;
      harness.reply({ kind: 'object', value: { ...goodDraft, headline: 'A very long headline '.repeat(20) } });
      const error = await failure(harness.provider().generate(request({ maxOutputTokens: 10 })));
      expect(error.kind).toBe('invalid_output');
      expect(error.message).toContain('output token limit');
      expect(harness.calls().length - before).toBe(1);
    });
  });
}

let openAi: FakeOpenAiCompatible;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  [openAi, anthropic] = await Promise.all([startOpenAiCompatibleFake(), startAnthropicFake({ models: ['claude-3-haiku-20240307', 'claude-sonnet-4-5'] })]);
});
afterEach(() => {
  openAi.clearReplies();
  anthropic.clearReplies();
});
afterAll(async () => {
  await Promise.all([openAi.close(), anthropic.close()]);
});

behavesLikeAnLlmProvider('openai-compatible', 'openai-compatible', () => ({
  provider: (options = {}) =>
    createAiProvider({ kind: 'openai-compatible', baseUrl: openAi.baseUrl, apiKey: options.apiKey ?? openAi.apiKey, model: options.model ?? openAi.models[0]! }),
  reply: (...replies) => openAi.reply(...replies),
  calls: () => openAi.chatRequests(),
  models: openAi.models,
}));

// claude-3-haiku gets structured output through the forced "json" tool; claude-sonnet-4-5 (second) natively.
behavesLikeAnLlmProvider('anthropic', 'anthropic', () => ({
  provider: (options = {}) =>
    createAiProvider({ kind: 'anthropic', baseUrl: anthropic.baseUrl, apiKey: options.apiKey ?? anthropic.apiKey, model: options.model ?? anthropic.models[0]! }),
  reply: (...replies) => anthropic.reply(...replies),
  calls: () => anthropic.messageRequests(),
  models: anthropic.models,
}));

describe('openai-compatible: wire format', () => {
  const provider = () => createAiProvider({ kind: 'openai-compatible', baseUrl: openAi.baseUrl, apiKey: openAi.apiKey, model: 'gpt-4o-mini' });

  it('sends the system prompt, the prompt, the bearer key and the schema as a strict json_schema response format', async () => {
    await provider().generate(request({ maxOutputTokens: 500 }));
    const body = openAi.chatRequests().at(-1)!;
    expect(body.messages).toEqual([
      { role: 'system', content: 'You write social media posts.' },
      { role: 'user', content: 'Announce the autumn sale.' },
    ]);
    expect(body.max_tokens).toBe(500);
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'response', strict: true, schema: { type: 'object', required: ['headline', 'hashtags', 'confidence'], additionalProperties: false } },
    });
    expect(openAi.requests.at(-1)!.headers.authorization).toBe(`Bearer ${openAi.apiKey}`);
  });

  it('fails a schema strict mode rejects (optional fields) as bad_request naming the field', async () => {
    const error = await failure(provider().generate({ ...request(), schema: draftSchema.extend({ note: z.string().optional() }) }));
    expect(error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(error.message).toContain("Missing 'note'");
  });

  it('maps an unreachable endpoint to unavailable', async () => {
    const closed = await startOpenAiCompatibleFake();
    await closed.close();
    const unreachable = createAiProvider({ kind: 'openai-compatible', baseUrl: closed.baseUrl, apiKey: closed.apiKey, model: 'gpt-4o-mini' });
    const error = await failure(unreachable.generate(request()));
    expect(error).toMatchObject({ kind: 'unavailable', status: null });
  });
});

describe('anthropic: wire format', () => {
  const provider = (model: string) => createAiProvider({ kind: 'anthropic', baseUrl: anthropic.baseUrl, apiKey: anthropic.apiKey, model });

  it('asks older models for a forced "json" tool call and reads the tool_use input', async () => {
    anthropic.reply({ kind: 'object', value: goodDraft });
    const result = await provider('claude-3-haiku-20240307').generate(request());
    expect(result.output).toEqual(goodDraft);
    const body = anthropic.messageRequests().at(-1)!;
    expect(body.system).toEqual([{ type: 'text', text: 'You write social media posts.' }]);
    expect(body.tools).toEqual([expect.objectContaining({ name: 'json', input_schema: expect.objectContaining({ type: 'object' }) })]);
    expect(body.tool_choice).toMatchObject({ type: 'any' });
    const headers = anthropic.requests.at(-1)!.headers;
    expect(headers['x-api-key']).toBe(anthropic.apiKey);
    expect(headers['anthropic-version']).toBe('2023-06-01');
  });

  it('asks newer models for native output_config json_schema', async () => {
    anthropic.reply({ kind: 'object', value: goodDraft });
    const result = await provider('claude-sonnet-4-5').generate(request());
    expect(result.output).toEqual(goodDraft);
    const body = anthropic.messageRequests().at(-1)!;
    expect(body.tools).toBeUndefined();
    expect(body.output_config).toMatchObject({ format: { type: 'json_schema', schema: { type: 'object' } } });
  });

  it('maps 529 overloaded to unavailable', async () => {
    anthropic.reply({ kind: 'server_error', status: 529 });
    const error = await failure(provider('claude-sonnet-4-5').generate(request()));
    expect(error).toMatchObject({ kind: 'unavailable', status: 529 });
    expect(error.message).toContain('Overloaded');
  });
});

describe('Retry-After', () => {
  it('reads delta seconds, an HTTP date and retry-after-ms, in whole seconds, and null when absent', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(parseRetryAfter({ 'retry-after': '30' }, now)).toBe(30);
    expect(parseRetryAfter({ 'Retry-After': 'Sun, 06 Dec 2026 10:01:30 GMT' }, now)).toBe(90);
    expect(parseRetryAfter({ 'retry-after-ms': '1500', 'retry-after': '9' }, now)).toBe(2);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 06 Dec 2026 09:00:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(parseRetryAfter({}, now)).toBeNull();
  });
});
