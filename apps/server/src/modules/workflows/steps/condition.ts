import { expressionSchema } from '@omni/contracts/workflows';
import { z } from 'zod';
import { evaluateExpression, isTruthy } from '../expressions.js';
import { defineStepKind } from './registry.js';

/** Branch on a JSONata expression over the run's data: port true or false (JSONata's truthiness). */
export const conditionStep = defineStepKind({
  kind: 'condition',
  config: z.object({
    /** e.g. `steps.score.output.score >= 70 and trigger.payload.country = "DE"` */
    expression: expressionSchema,
  }),
  ports: ['true', 'false'],
  sideEffect: false,
  check(config, checker) {
    checker.expression('expression', config.expression);
  },
  async execute(step, config) {
    const value = await evaluateExpression(config.expression, step.data);
    const result = await isTruthy(value);
    return { outcome: 'done', port: result ? 'true' : 'false', output: { result, value } };
  },
});
