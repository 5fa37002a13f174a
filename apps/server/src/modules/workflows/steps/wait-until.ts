import { expressionSchema } from '@omni/contracts/workflows';
import { z } from 'zod';
import { evaluateExpression } from '../expressions.js';
import { StepFailure } from '../step-failure.js';
import { defineStepKind } from './registry.js';

/** An instant as an expression may give it: an ISO 8601 date-time (with zone) or epoch milliseconds. */
export function toInstant(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
  if (typeof value === 'string' && z.iso.datetime({ offset: true }).safeParse(value).success) return new Date(value);
  return null;
}

/** Wait until a fixed instant or one computed from the run's data; an instant in the past goes on at once. */
export const waitUntilStep = defineStepKind({
  kind: 'wait_until',
  config: z
    .object({
      /** A fixed instant (ISO 8601 with zone)… */
      at: z.iso.datetime({ offset: true, error: 'Use a date and time with its zone, e.g. 2027-03-01T09:00:00+01:00.' }).nullable().default(null),
      /** …or a JSONata expression giving one, e.g. `trigger.payload.startsAt`. */
      expression: expressionSchema.nullable().default(null),
    })
    .refine((config) => (config.at === null) !== (config.expression === null), { message: 'Set a fixed time or an expression: one of the two.', path: ['at'] }),
  ports: ['default'],
  sideEffect: false,
  check(config, checker) {
    if (config.expression) checker.expression('expression', config.expression);
  },
  async execute(step, config) {
    const value = config.expression ? await evaluateExpression(config.expression, step.data) : config.at;
    const until = toInstant(value);
    if (!until) throw new StepFailure('workflows.invalid_time', `The expression gave ${JSON.stringify(value)}, not a date and time with its zone or epoch milliseconds.`);
    const output = { waitedUntil: until.toISOString() };
    if (until.getTime() <= Date.now()) return { outcome: 'done', output, input: { until: output.waitedUntil } };
    return { outcome: 'wait', until, input: { until: output.waitedUntil }, resume: { output } };
  },
});
