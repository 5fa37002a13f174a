import { describe, expect, it } from 'vitest';
import { copywriterAgent as copywriter } from './agents/copywriter.js';
import { calibrateConfidence } from './ai.runs.js';

/** Confidence calibration (docs/design/ai-agents.md §4): clamp, ×0.8 after a repair, agent checks, offline ≤ 0.6. */
describe('ai: confidence calibration', () => {
  const input = { text: 'Fresh bread', network: 'x', tone: 'neutral' };
  const output = (text: string, confidence: number) => ({ text, hashtags: ['bread'], confidence, explanation: 'ok' });

  it('keeps a model’s clean answer, clamps out-of-range values and caps offline results at 0.6', () => {
    expect(calibrateConfidence(copywriter, input, { output: output('Fresh bread', 0.9), attempts: 1, provider: 'openai-compatible' })).toBe(0.9);
    expect(calibrateConfidence(copywriter, input, { output: output('Fresh bread', 7), attempts: 1, provider: 'anthropic' })).toBe(1);
    expect(calibrateConfidence(copywriter, input, { output: output('Fresh bread', 0.95), attempts: 1, provider: 'offline' })).toBe(0.6);
  });

  it('lowers confidence ×0.8 after a schema repair and ×0.7 when the draft breaks the network’s rules', () => {
    expect(calibrateConfidence(copywriter, input, { output: output('Fresh bread', 0.9), attempts: 2, provider: 'openai-compatible' })).toBe(0.72);
    const tooLong = 'x'.repeat(400);
    expect(calibrateConfidence(copywriter, input, { output: output(tooLong, 0.9), attempts: 1, provider: 'openai-compatible' })).toBe(0.63);
  });
});
