import { z } from 'zod';
import { plainTextToHtml } from '../../../kernel/mail/html.js';
import { queueMail } from '../../../kernel/mail/mail.js';
import { renderTemplate } from '../expressions.js';
import { StepFailure } from '../step-failure.js';
import { defineStepKind } from './registry.js';

/** The most addresses one send_email step writes to. */
export const maxEmailRecipients = 10;

const emailAddress = z.email();

const hasTemplateMarkup = (source: string) => source.includes('{{') || source.includes('{%');

/** The addresses of a comma-separated list (duplicates dropped), or what is wrong with it. */
function parseRecipients(list: string): { addresses: string[] } | { problem: string } {
  const seen = new Set<string>();
  const addresses: string[] = [];
  for (const part of list.split(',')) {
    const address = part.trim();
    if (!address) continue;
    if (!emailAddress.safeParse(address).success) return { problem: `"${address.slice(0, 100)}" is not an email address.` };
    if (seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    addresses.push(address);
  }
  if (addresses.length === 0) return { problem: 'There is no address to send to.' };
  if (addresses.length > maxEmailRecipients) return { problem: `At most ${maxEmailRecipients} addresses; there are ${addresses.length}.` };
  return { addresses };
}

/**
 * An email (plain text; its HTML part is the text escaped) to one address or a comma-separated list of up to
 * ten, each of to, subject and body Liquid over the run's data, through the kernel mail outbox (one message
 * per address). The outbox has no idempotency key of its own, so the step is transactional: its messages are
 * queued in the transaction that finishes the step and exist exactly when it succeeded (a retry after a
 * failure finds none to double); their ids are the step's output. Test runs only record what would be sent.
 */
export const sendEmailStep = defineStepKind({
  kind: 'send_email',
  config: z.object({
    /** One address or a comma-separated list (≤ 10), e.g. `{{ trigger.payload.email }}`; checked after rendering. */
    to: z.string().trim().min(1, 'Write whom to send the email to.').max(2000, 'The recipients have at most 2000 characters.'),
    subject: z.string().trim().min(1, 'Write a subject.').max(500, 'A subject has at most 500 characters.'),
    /** Plain text. */
    body: z.string().trim().min(1, 'Write the email’s text.').max(20_000, 'An email’s text has at most 20,000 characters.'),
  }),
  ports: ['default', 'error'],
  sideEffect: true,
  transactional: true,
  check(config, checker) {
    checker.template('to', config.to);
    checker.template('subject', config.subject);
    checker.template('body', config.body);
    if (!hasTemplateMarkup(config.to)) {
      const parsed = parseRecipients(config.to);
      if ('problem' in parsed) checker.issue('to', parsed.problem);
    }
  },
  async execute(step, config, tx) {
    if (!tx) throw new Error('send_email runs inside the transaction that finishes the step');
    const recipients = parseRecipients(renderTemplate(config.to, step.data));
    if ('problem' in recipients) throw new StepFailure('workflows.email_recipients_invalid', `The email cannot be sent: ${recipients.problem}`);
    // One line: a subject never carries line breaks into the message's headers.
    const subject = renderTemplate(config.subject, step.data).replace(/\s+/g, ' ').trim().slice(0, 300);
    if (!subject) throw new StepFailure('workflows.email_subject_empty', 'The email cannot be sent: its subject came out empty.');
    const text = renderTemplate(config.body, step.data).replace(/\r\n?/g, '\n');
    const input = { to: recipients.addresses, subject, body: text };
    if (step.dryRun) return { outcome: 'done', input, output: { dryRun: true, to: recipients.addresses, subject, messageIds: [] } };
    const html = plainTextToHtml(text);
    const messageIds: string[] = [];
    for (const to of recipients.addresses) {
      messageIds.push(await queueMail(tx, { tenantId: step.tenantId, to, subject, text, html, template: 'workflows.send_email' }));
    }
    return { outcome: 'done', input, output: { dryRun: false, to: recipients.addresses, subject, messageIds } };
  },
});
