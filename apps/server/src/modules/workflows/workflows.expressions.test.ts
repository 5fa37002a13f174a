import { describe, expect, it } from 'vitest';
import { evaluateExpression, renderTemplate, type RunData } from './expressions.js';
import { StepFailure } from './step-failure.js';

const data: RunData = { trigger: { kind: 'manual', payload: { name: 'Ada' } }, steps: {}, workflow: { id: 'w', name: 'Leads', version: 1 }, run: { id: 'r', test: false } };

async function failureOf(action: () => unknown): Promise<StepFailure> {
  try {
    await action();
  } catch (error) {
    if (error instanceof StepFailure) return error;
    throw error;
  }
  throw new Error('expected a StepFailure');
}

/**
 * The time boxes measure wall time: a worker that is starved of CPU or has just started (cold code) can pass
 * them with cheap work, so passing one is retryable; a mistake in the text or expression is not.
 */
describe('workflows: expression and template failures', () => {
  it('a template past its render time limit fails retryably; a missing variable fails for good', async () => {
    expect(renderTemplate('Hi {{ trigger.payload.name }}', data)).toBe('Hi Ada');
    const slow = await failureOf(() => renderTemplate('{% for i in (1..5000000) %}{% endfor %}', data));
    expect(slow).toMatchObject({ code: 'workflows.template_failed', retryable: true });
    expect(slow.message).toContain('render limit exceeded');
    expect(await failureOf(() => renderTemplate('{{ trigger.payload.missing }}', data))).toMatchObject({ code: 'workflows.template_failed', retryable: false });
  });

  it('an expression past its time box fails retryably; a type error fails for good', async () => {
    expect(await evaluateExpression('trigger.payload.name & "!"', data)).toBe('Ada!');
    const slow = await failureOf(() => evaluateExpression('$count($map([1..99999], function($v){ $map([1..50], function($w){ $string($w) & $string($v) }) }))', data));
    expect(slow).toMatchObject({ code: 'workflows.expression_failed', retryable: true });
    expect(slow.message).toContain('D1012');
    expect(await failureOf(() => evaluateExpression('trigger.payload.name + 1', data))).toMatchObject({ code: 'workflows.expression_failed', retryable: false });
  });
});
