import { contentNetworkSchema } from '@omni/contracts/content';
import { expressionSchema } from '@omni/contracts/workflows';
import { z } from 'zod';
import { createWorkflowPostInTx, resolveWorkflowPostDestinations, type WorkflowPostDestinations } from '../../content/index.js';
import { evaluateExpression, renderTemplate } from '../expressions.js';
import { StepFailure } from '../step-failure.js';
import { refusalAsStepFailure } from './refusals.js';
import { defineStepKind } from './registry.js';
import { toInstant } from './wait-until.js';

/**
 * A post in the content studio: title and text Liquid over the run's data, to chosen connections or to every
 * active connection of a network, optionally planned (a fixed instant or a JSONata expression), then left as
 * a draft, submitted for approval (approved with a planned time, content schedules it) or scheduled directly
 * (refused when the account wants every post approved). Its source is {kind: 'workflow', workflowId, runId,
 * stepRunId}: the step is transactional (the post exists exactly when the step succeeded) and a step run
 * that runs again finds its post instead of making a second. Test runs only record what would be made.
 */
export const createPostStep = defineStepKind({
  kind: 'create_post',
  config: z
    .object({
      title: z.string().trim().max(1000, 'A title has at most 1000 characters.').default(''),
      text: z.string().trim().min(1, 'Write the post’s text.').max(70_000, 'A post’s text has at most 70,000 characters.'),
      /** Connections of the account… */
      connectionIds: z.array(z.uuid('Destinations are connection ids.')).max(50, 'At most 50 connections.').default([]),
      /** …or every active connection of this network. */
      network: contentNetworkSchema.nullable().default(null),
      tags: z.array(z.string().trim().min(1, 'A tag cannot be empty.').max(40, 'A tag has at most 40 characters.')).max(20, 'At most 20 tags.').default([]),
      /** When to publish: a fixed instant (ISO 8601 with zone)… */
      plannedAt: z.iso.datetime({ offset: true, error: 'Use a date and time with its zone, e.g. 2027-03-01T09:00:00+01:00.' }).nullable().default(null),
      /** …or a JSONata expression giving one, e.g. `trigger.payload.publishAt`. */
      plannedAtExpression: expressionSchema.nullable().default(null),
      /** Into review; once approved, a post with a planned time is scheduled. */
      submitForApproval: z.boolean().default(false),
      /** Scheduled at the planned time without review. */
      schedule: z.boolean().default(false),
    })
    .superRefine((config, context) => {
      if ((config.connectionIds.length > 0) === (config.network !== null)) {
        context.addIssue({ code: 'custom', path: ['connectionIds'], message: 'Choose connections or a network (all its active connections): one of the two.' });
      }
      if (config.plannedAt !== null && config.plannedAtExpression !== null) {
        context.addIssue({ code: 'custom', path: ['plannedAt'], message: 'Set a fixed time or an expression, not both.' });
      }
      if (config.submitForApproval && config.schedule) {
        context.addIssue({ code: 'custom', path: ['schedule'], message: 'Submit for approval or schedule directly, not both: an approved post with a planned time is scheduled anyway.' });
      }
      if (config.schedule && config.plannedAt === null && config.plannedAtExpression === null) {
        context.addIssue({ code: 'custom', path: ['plannedAt'], message: 'Scheduling needs a planned time: set one or an expression.' });
      }
    }),
  ports: ['default', 'error'],
  sideEffect: true,
  transactional: true,
  check(config, checker) {
    checker.template('title', config.title);
    checker.template('text', config.text);
    if (config.plannedAtExpression) checker.expression('plannedAtExpression', config.plannedAtExpression);
  },
  async execute(step, config, tx) {
    if (!tx) throw new Error('create_post runs inside the transaction that finishes the step');
    const title = renderTemplate(config.title, step.data).trim() || null;
    const text = renderTemplate(config.text, step.data).trim();
    if (!text) throw new StepFailure('workflows.post_text_empty', 'The post’s text came out empty.');
    let plannedAt = config.plannedAt ? new Date(config.plannedAt) : null;
    if (config.plannedAtExpression) {
      const value = await evaluateExpression(config.plannedAtExpression, step.data);
      // Nothing means "not planned" for a draft or a post in review; a post to schedule needs a time.
      if (value === null && config.schedule) throw new StepFailure('workflows.invalid_time', 'The planned time’s expression gave nothing: a post to schedule needs a time.');
      plannedAt = value === null ? null : toInstant(value);
      if (value !== null && !plannedAt) throw new StepFailure('workflows.invalid_time', `The planned time’s expression gave ${JSON.stringify(value).slice(0, 200)}, not a date and time with its zone or epoch milliseconds.`);
    }
    const then = config.schedule ? 'schedule' : config.submitForApproval ? 'submit' : 'draft';
    const destinations: WorkflowPostDestinations = config.network ? { network: config.network } : { connectionIds: config.connectionIds };
    const input = { title, text, tags: config.tags, plannedAt: plannedAt?.toISOString() ?? null, then, ...destinations };
    const context = { config: step.config, tenantId: step.tenantId, accountId: step.accountId };
    try {
      if (step.dryRun) {
        const connectionIds = await resolveWorkflowPostDestinations(tx, step.accountId, destinations);
        return { outcome: 'done', input, output: { dryRun: true, postId: null, status: null, destinations: connectionIds.length, connectionIds } };
      }
      const post = await createWorkflowPostInTx(tx, context, {
        title,
        text,
        tags: config.tags,
        destinations,
        plannedAt,
        then,
        source: { kind: 'workflow', workflowId: step.workflow.id, runId: step.run.id, stepRunId: step.step.id },
        note: `from workflow ${step.workflow.name}`,
      });
      return { outcome: 'done', input, output: { dryRun: false, ...post } };
    } catch (error) {
      throw refusalAsStepFailure(error);
    }
  },
});
