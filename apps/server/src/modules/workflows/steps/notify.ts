import { z } from 'zod';
import { defineNotificationKind, notifyUsers } from '../../notifications/index.js';
import { listAccountUserIdsWithRole } from '../../tenancy/index.js';
import { renderTemplate } from '../expressions.js';
import { StepFailure } from '../step-failure.js';
import { defineStepKind } from './registry.js';

export const workflowNotificationKind = defineNotificationKind('workflows.notification', {
  emailByDefault: true,
  description: 'A workflow’s notify step wrote to you',
});

/**
 * Notify people of the account (everyone with the role or above) or the person who started the run:
 * in-app and, unless they turned it off, by email. Title and body are Liquid over the run's data.
 * Runs inside the transaction that finishes the step, so the notification exists exactly when the step
 * succeeded; in test runs it only says whom it would notify and what.
 */
export const notifyStep = defineStepKind({
  kind: 'notify',
  config: z.object({
    to: z.enum(['role', 'starter'], 'Choose a role of the account or the person who started the run.').default('role'),
    /** With to = role: people with this role in the account or a higher one. */
    role: z.enum(['viewer', 'contributor', 'editor', 'admin'], 'Choose viewer, contributor, editor or admin.').default('editor'),
    title: z.string().trim().min(1, 'Write a title.').max(200, 'A title has at most 200 characters.'),
    body: z.string().max(2000, 'A message has at most 2000 characters.').default(''),
  }),
  ports: ['default'],
  sideEffect: true,
  transactional: true,
  check(config, checker) {
    checker.template('title', config.title);
    checker.template('body', config.body);
    if (config.to === 'starter' && checker.trigger.kind !== 'manual') checker.issue('to', 'Only manual runs have a person who started them: notify a role instead.');
  },
  async execute(step, config, tx) {
    if (!tx) throw new Error('notify runs inside the transaction that finishes the step');
    const title = renderTemplate(config.title, step.data);
    const body = renderTemplate(config.body, step.data);
    let userIds: string[];
    if (config.to === 'starter') {
      if (!step.run.startedBy) throw new StepFailure('workflows.no_starter', 'Nobody started this run: notify a role instead.');
      userIds = [step.run.startedBy];
    } else {
      userIds = await listAccountUserIdsWithRole(tx, { accountId: step.accountId, minAccountRole: config.role });
    }
    const input = { to: config.to, role: config.to === 'role' ? config.role : null, title, body };
    if (step.dryRun) return { outcome: 'done', input, output: { dryRun: true, recipients: userIds, notified: 0, emailed: 0 } };
    const sent = await notifyUsers(tx, {
      config: step.config,
      tenantId: step.tenantId,
      accountId: step.accountId,
      userIds,
      kind: workflowNotificationKind.kind,
      title,
      body,
      linkPath: `/workflows/runs/${step.run.id}`,
      subject: { type: 'workflow_run', id: step.run.id },
    });
    return { outcome: 'done', input, output: { dryRun: false, recipients: userIds, ...sent } };
  },
});
