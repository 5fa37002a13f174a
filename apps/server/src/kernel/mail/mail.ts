import { sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import type { Tx } from '../db/database.js';
import { withSystemAccess } from '../db/tenancy.js';
import { defineJob, enqueueJob } from '../jobs/jobs.js';
import { mailCounter } from '../metrics.js';

export type OutgoingMail = {
  /** null for platform mail to a person (password reset, verification), else the tenant it belongs to. */
  tenantId: string | null;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** A stable name for the kind of message, e.g. "identity.password-reset". */
  template: string;
};

/**
 * Store the message in the mail outbox and schedule its delivery, in the caller's transaction:
 * the mail exists if and only if the change that caused it commits.
 */
export async function queueMail(tx: Tx, mail: OutgoingMail): Promise<string> {
  const inserted = await tx.execute<{ id: string }>(sql`
    INSERT INTO mail_messages (tenant_id, to_address, subject, text_body, html_body, template)
    VALUES (${mail.tenantId}, ${mail.to}, ${mail.subject}, ${mail.text}, ${mail.html ?? null}, ${mail.template})
    RETURNING id`);
  const id = inserted.rows[0]!.id;
  await enqueueJob(tx, sendMailJob, { messageId: id }, { tenantId: mail.tenantId, key: `mail:${id}`, maxAttempts: 8 });
  return id;
}

const transports = new Map<string, Transporter>();

function getTransport(smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  return transport;
}

type MailRow = { id: string; to_address: string; subject: string; text_body: string; html_body: string | null; status: string; attempts: number };

/**
 * Deliver one stored message. The attempt is recorded ("sending", committed) before the SMTP call; if the
 * process dies mid-call the next run finds "sending" and marks it unconfirmed instead of sending twice.
 */
export const sendMailJob = defineJob({
  id: 'kernel.send-mail',
  payload: z.object({ messageId: z.string().uuid() }),
  transactional: false,
  async run(ctx, { messageId }) {
    const claimed = await withSystemAccess(ctx, 'mail:claim', async (tx) => {
      const rows = await tx.execute<MailRow>(sql`SELECT id, to_address, subject, text_body, html_body, status, attempts FROM mail_messages WHERE id = ${messageId} FOR UPDATE`);
      const row = rows.rows[0];
      if (!row) return null;
      if (row.status === 'sending') {
        await tx.execute(sql`UPDATE mail_messages SET status = 'unconfirmed', last_error = 'delivery outcome unknown after an interrupted attempt' WHERE id = ${messageId}`);
        ctx.logger.warn({ messageId }, 'mail delivery outcome unknown; marked unconfirmed, not resent');
        mailCounter.inc({ outcome: 'unconfirmed' });
        return null;
      }
      if (row.status !== 'queued' && row.status !== 'failed') return null;
      if (!ctx.config.SMTP_URL) {
        await tx.execute(sql`UPDATE mail_messages SET status = 'stored', sent_at = now(), attempts = attempts + 1 WHERE id = ${messageId}`);
        mailCounter.inc({ outcome: 'stored' });
        return null;
      }
      await tx.execute(sql`UPDATE mail_messages SET status = 'sending', attempts = attempts + 1 WHERE id = ${messageId}`);
      return row;
    });
    if (!claimed || !ctx.config.SMTP_URL) return;
    try {
      const info = await getTransport(ctx.config.SMTP_URL).sendMail({
        from: ctx.config.MAIL_FROM,
        to: claimed.to_address,
        subject: claimed.subject,
        text: claimed.text_body,
        html: claimed.html_body ?? undefined,
      });
      await withSystemAccess(ctx, 'mail:record', (tx) =>
        tx.execute(sql`UPDATE mail_messages SET status = 'sent', sent_at = now(), provider_message_id = ${info.messageId ?? null}, last_error = NULL WHERE id = ${messageId}`),
      );
      mailCounter.inc({ outcome: 'sent' });
    } catch (error) {
      // The SMTP server answered with an error: nothing was accepted, so a retry cannot double-send.
      await withSystemAccess(ctx, 'mail:record', (tx) =>
        tx.execute(sql`UPDATE mail_messages SET status = 'failed', last_error = ${(error as Error).message.slice(0, 500)} WHERE id = ${messageId}`),
      );
      mailCounter.inc({ outcome: 'failed' });
      throw error;
    }
  },
});
