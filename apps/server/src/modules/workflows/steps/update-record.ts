import { z } from 'zod';
import { findWorkflowAction } from '../../../kernel/actions.js';
import type { RunData } from '../expressions.js';
import { renderTemplate } from '../expressions.js';
import { StepFailure } from '../step-failure.js';
import { refusalAsStepFailure } from './refusals.js';
import { defineStepKind } from './registry.js';

/** Every string in the value (at any depth), with its path under `input`. */
function collectStrings(value: unknown, path: string, out: Array<{ path: string; text: string }>): void {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) value.forEach((item, index) => collectStrings(item, `${path}.${index}`, out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) collectStrings(item, `${path}.${key}`, out);
}

/** The value with every string rendered as Liquid over the run's data. */
function renderStrings(value: unknown, data: RunData): unknown {
  if (typeof value === 'string') return renderTemplate(value, data);
  if (Array.isArray(value)) return value.map((item) => renderStrings(item, data));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderStrings(item, data)]));
  return value;
}

/**
 * Change a record of Omni's through an action a module registered (kernel/actions.ts, listed by GET
 * /api/workflows/actions): `content.post.add_tags`, `content.post.submit`, later `crm.lead.update`. The
 * input's strings are Liquid over the run's data, rendered and then validated by the action. Transactional:
 * the action's writes commit with the step's success, or not at all. Test runs only record what would be done.
 */
export const updateRecordStep = defineStepKind({
  kind: 'update_record',
  config: z.object({
    /** A registered action's name. */
    action: z.string().trim().min(1, 'Choose an action.').max(100, 'An action name has at most 100 characters.'),
    /** The action's input; strings are Liquid, e.g. {"postId": "{{ steps.post.output.postId }}", "tags": "launch, ai"}. */
    input: z
      .record(z.string().min(1).max(100), z.json())
      .default({})
      .refine((input) => Object.keys(input).length <= 30, 'An action takes at most 30 input fields.')
      .refine((input) => JSON.stringify(input).length <= 20_000, 'An action’s input has at most 20,000 characters.'),
  }),
  ports: ['default', 'error'],
  sideEffect: true,
  transactional: true,
  check(config, checker) {
    const strings: Array<{ path: string; text: string }> = [];
    collectStrings(config.input, 'input', strings);
    for (const { path, text } of strings) checker.template(path, text);
    const action = findWorkflowAction(config.action);
    if (!action) {
      checker.issue('action', `There is no action "${config.action}": choose one of the list.`);
      return;
    }
    if (!(action.input instanceof z.ZodObject)) return;
    const shape = action.input.shape as Record<string, z.ZodType>;
    for (const key of Object.keys(config.input)) {
      if (!(key in shape)) checker.issue(`input.${key}`, `The action ${config.action} takes no "${key}" (it takes ${Object.keys(shape).join(', ')}).`);
    }
    for (const [key, field] of Object.entries(shape)) {
      if (!(key in config.input) && !field.safeParse(undefined).success) checker.issue(`input.${key}`, `The action ${config.action} needs "${key}".`);
    }
  },
  async execute(step, config, tx) {
    if (!tx) throw new Error('update_record runs inside the transaction that finishes the step');
    const action = findWorkflowAction(config.action);
    if (!action) throw new StepFailure('workflows.action_unavailable', `The action ${config.action} is not available.`);
    const rendered = renderStrings(config.input, step.data);
    const input = { action: config.action, input: rendered };
    const parsed = action.input.safeParse(rendered);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${['input', ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');
      throw new StepFailure('workflows.action_input_invalid', `The action ${config.action} cannot take this input: ${problems}`.slice(0, 1000));
    }
    if (step.dryRun) return { outcome: 'done', input, output: { dryRun: true, action: config.action, result: null } };
    try {
      const actor = { kind: 'workflow' as const, workflowId: step.workflow.id, runId: step.run.id, stepRunId: step.step.id, userId: step.run.startedBy };
      const result = await action.run(tx, { config: step.config, tenantId: step.tenantId, accountId: step.accountId, actor }, parsed.data);
      return { outcome: 'done', input, output: { dryRun: false, action: config.action, result: result ?? null } };
    } catch (error) {
      throw refusalAsStepFailure(error);
    }
  },
});
