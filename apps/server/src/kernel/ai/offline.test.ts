import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AiProviderError,
  createAiProvider,
  createOfflineHandlerRegistry,
  getOfflineNlp,
  offlineHandlers,
  offlineRefusal,
  registerOfflineHandler,
  type OfflineHandler,
} from './index.js';

const nlp = getOfflineNlp();

const sentimentOutput = z.object({
  results: z.array(z.object({ label: z.enum(['positive', 'neutral', 'negative']), score: z.number().min(-1).max(1) })),
  keywords: z.array(z.string()),
  confidence: z.number().min(0).max(0.6),
});
const sentimentInput = z.object({ texts: z.array(z.string()) });

/** A handler shaped like the later sentiment-analyst agent: wink-nlp over the structured input. */
const sentimentHandler: OfflineHandler = (input, { nlp: toolkit }) => {
  const { texts } = sentimentInput.parse(input);
  return {
    results: texts.map((text) => toolkit.sentiment(text)),
    keywords: toolkit.keywords(texts.join(' '), 3).map((keyword) => keyword.term),
    confidence: 0.6,
  };
};

const request = (agent: string, input: unknown) => ({ agent, input, system: 'Classify sentiment.', prompt: 'Classify the texts.', schema: sentimentOutput });

describe('offline provider', () => {
  it('answers through the agent handler, labelled offline, with zero tokens, the same every time', async () => {
    const handlers = createOfflineHandlerRegistry();
    handlers.register('sentiment-analyst', sentimentHandler);
    const provider = createAiProvider({ kind: 'offline', handlers });
    const input = { texts: ['I love this wonderful coffee, great service!', 'Terrible coffee, awful and rude staff.'] };
    const first = await provider.generate(request('sentiment-analyst', input));
    const second = await provider.generate(request('sentiment-analyst', structuredClone(input)));
    expect(second).toEqual(first);
    expect(first).toMatchObject({ provider: 'offline', model: 'offline', usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'stop', attempts: 1 });
    expect(first.output.results.map((result) => result.label)).toEqual(['positive', 'negative']);
    expect(first.output.keywords).toContain('coffee');
    expect(provider.kind).toBe('offline');
    await expect(provider.listModels()).resolves.toEqual(['offline']);
  });

  it('refuses an agent without offline behaviour, saying which and what to do', async () => {
    const provider = createAiProvider({ kind: 'offline', handlers: createOfflineHandlerRegistry() });
    const error = await provider.generate(request('translator', { text: 'Hallo' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AiProviderError);
    expect(error).toMatchObject({ kind: 'refused', provider: 'offline', isRetryable: false });
    expect((error as Error).message).toContain('"translator"');
    expect((error as Error).message).toContain('Configure an AI provider');
  });

  it('passes on a refusal the handler throws', async () => {
    const handlers = createOfflineHandlerRegistry();
    handlers.register('translator', () => {
      throw offlineRefusal('Translation needs an AI provider.');
    });
    const error = await createAiProvider({ kind: 'offline', handlers })
      .generate(request('translator', {}))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'refused', message: 'Translation needs an AI provider.' });
  });

  it('fails handler output that breaks the schema as invalid_output naming the field', async () => {
    const handlers = createOfflineHandlerRegistry();
    handlers.register('sentiment-analyst', () => ({ results: [], keywords: [], confidence: 0.9 }));
    const error = await createAiProvider({ kind: 'offline', handlers })
      .generate(request('sentiment-analyst', { texts: [] }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'invalid_output' });
    expect((error as Error).message).toContain('confidence');
  });

  it('uses the process-wide registry by default and refuses a second, different handler for an agent', async () => {
    registerOfflineHandler('offline-test-echo', (input) => ({ results: [], keywords: [String((input as { word: string }).word)], confidence: 0.1 }));
    expect(offlineHandlers.agents()).toContain('offline-test-echo');
    const result = await createAiProvider({ kind: 'offline' }).generate(request('offline-test-echo', { word: 'hello' }));
    expect(result.output.keywords).toEqual(['hello']);
    expect(() => registerOfflineHandler('offline-test-echo', () => ({}))).toThrow(/already registered/);
  });

  it('does not start work for a request already cancelled', async () => {
    const handlers = createOfflineHandlerRegistry();
    let calls = 0;
    handlers.register('sentiment-analyst', (input, context) => {
      calls += 1;
      return sentimentHandler(input, context);
    });
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(createAiProvider({ kind: 'offline', handlers }).generate({ ...request('sentiment-analyst', { texts: [] }), signal: controller.signal })).rejects.toThrow(
      'cancelled',
    );
    expect(calls).toBe(0);
  });
});

describe('offline NLP helpers (wink-nlp)', () => {
  it('scores positive text above zero and negative text below, neutral text near zero', () => {
    const positive = nlp.sentiment('What a fantastic launch! We are thrilled and grateful for your amazing support.');
    const negative = nlp.sentiment('This update is terrible. The app crashes constantly and support is useless.');
    const neutral = nlp.sentiment('The store opens at nine on Monday.');
    expect(positive.label).toBe('positive');
    expect(positive.score).toBeGreaterThan(0.05);
    expect(negative.label).toBe('negative');
    expect(negative.score).toBeLessThan(-0.05);
    expect(neutral).toEqual({ score: 0, label: 'neutral' });
    expect(nlp.sentiment('')).toEqual({ score: 0, label: 'neutral' });
  });

  it('finds topics as noun phrases with hyphenated compounds, the most repeated head first', () => {
    expect(nlp.topics('Our new single-origin espresso from Ethiopia, with a free cornetto for students.', 3)).toEqual(['single-origin espresso', 'Ethiopia', 'cornetto']);
    // "latte" occurs twice: its phrase leads; leading single-word adjectives ("new") are dropped.
    expect(nlp.topics('Launch the autumn menu (pumpkin spice latte, a new chai) and the latte art workshop.')).toEqual(['pumpkin spice latte', 'autumn menu', 'latte art workshop', 'chai']);
    expect(nlp.topics('and the of')).toEqual([]);
  });

  it('finds keywords by frequency, merging plurals and hashtags, without stop words', () => {
    const keywords = nlp.keywords('Our new running shoes are here. These shoes make running easy. #running #shoes for every runner.', 3);
    // "shoes", "shoes" and "#shoes" are one term; "our", "are", "these", "for", "every" are stop words.
    expect(keywords).toEqual([
      { term: 'shoe', count: 3 },
      { term: 'run', count: 2 },
      { term: 'new', count: 1 },
    ]);
    expect(nlp.keywords('the and of to is', 5)).toEqual([]);
  });

  it('splits sentences and measures readability', () => {
    expect(nlp.sentences('Spring is here. Our garden shop opens Monday! Will you visit?')).toEqual([
      'Spring is here.',
      'Our garden shop opens Monday!',
      'Will you visit?',
    ]);
    expect(nlp.sentences('   ')).toEqual([]);
    const easy = nlp.readability('The cat sat on the mat. It was a good day.');
    const hard = nlp.readability('Comprehensive organizational transformation necessitates interdisciplinary collaboration.');
    expect(easy).toMatchObject({ words: 11, sentences: 2, complexWords: 0 });
    expect(easy.fleschReadingEase).toBeGreaterThan(hard.fleschReadingEase);
    expect(hard.complexWords).toBeGreaterThan(0);
    expect(nlp.readability('')).toEqual({ fleschReadingEase: 0, words: 0, sentences: 0, complexWords: 0, readingTimeSeconds: 0 });
  });
});
