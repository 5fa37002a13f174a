import { z } from 'zod';
import { defineStepKind } from './registry.js';

const secondsPerUnit = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as const;
const longestDelaySeconds = 365 * 86_400;

/** Wait a fixed time (a job at that time resumes the run); the loop breaker of cycles. */
export const delayStep = defineStepKind({
  kind: 'delay',
  config: z
    .object({
      amount: z.number('Enter how long to wait.').int('Use a whole number.').min(1, 'Wait at least 1.').max(100_000),
      unit: z.enum(['seconds', 'minutes', 'hours', 'days'], 'Choose seconds, minutes, hours or days.').default('minutes'),
    })
    .refine((config) => config.amount * secondsPerUnit[config.unit] <= longestDelaySeconds, { message: 'Wait at most 365 days.', path: ['amount'] }),
  ports: ['default'],
  sideEffect: false,
  async execute(_step, config) {
    const until = new Date(Date.now() + config.amount * secondsPerUnit[config.unit] * 1000);
    return { outcome: 'wait', until, input: { ...config, until: until.toISOString() }, resume: { output: { waitedUntil: until.toISOString() } } };
  },
});
