import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmtpServer, type FakeSmtpServer } from '../../../test/fakes/smtp.js';
import { createTestApp, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { withSystemAccess, withTenant } from '../db/tenancy.js';
import type { Tx } from '../db/database.js';
import { executeJob } from '../jobs/jobs.js';
import { queueMail, sendMailJob, type OutgoingMail } from './mail.js';

type MailRow = { status: string; attempts: number; sent_at: Date | null; last_error: string | null; provider_message_id: string | null };

describe('the mail outbox', () => {
  let smtp: FakeSmtpServer;
  let storing: TestApp;
  let delivering: TestApp;
  let tenantId: string;

  beforeAll(async () => {
    smtp = await startFakeSmtpServer({ rejectRecipient: (address) => address.startsWith('refused-') });
    storing = await createTestApp();
    delivering = await createTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Omni Test <robot@omni.test>' });
    const suffix = uniqueSuffix();
    const tenant = await storing.owner.query<{ id: string }>(`INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`, [`Mail ${suffix}`, `m-${suffix}`]);
    tenantId = tenant.rows[0]!.id;
  });
  afterAll(async () => {
    await storing?.close();
    await delivering?.close();
    await smtp?.close();
  });

  /**
   * Queue a message and, in the same transaction, take its delivery job out of the shared queue (other
   * test files drain it with their own configuration), so the test decides which app delivers it.
   */
  async function queueAndClaim(app: TestApp, mail: Omit<OutgoingMail, 'template'>) {
    const work = async (tx: Tx) => {
      const messageId = await queueMail(tx, { ...mail, template: 'test.mail' });
      const claimed = await tx.execute<{ payload: unknown }>(sql`DELETE FROM graphile_worker._private_jobs WHERE key = ${`mail:${messageId}`} RETURNING payload`);
      return { messageId, envelopes: claimed.rows.map((row) => row.payload) };
    };
    return mail.tenantId ? withTenant({ db: app.kernel.db, tenantId: mail.tenantId }, work) : withSystemAccess(app.kernel, 'test', work);
  }

  async function deliver(app: TestApp, envelope: unknown, attempt = 1) {
    await executeJob(app.kernel, sendMailJob, envelope, { jobId: 'test', attempt });
  }

  async function readMessage(app: TestApp, messageId: string): Promise<MailRow> {
    const rows = await app.owner.query<MailRow>('SELECT status, attempts, sent_at, last_error, provider_message_id FROM mail_messages WHERE id = $1', [messageId]);
    return rows.rows[0]!;
  }

  const receivedBy = (address: string) => smtp.received.filter((mail) => mail.recipients.includes(address));

  it('queueMail stores the message as queued and schedules one delivery job for it', async () => {
    const to = `queued-${uniqueSuffix()}@example.test`;
    const { messageId, envelopes } = await queueAndClaim(storing, { tenantId, to, subject: 'Queued', text: 'Body', html: '<p>Body</p>' });
    expect(envelopes).toEqual([{ tenantId, data: { messageId } }]);
    const stored = await storing.owner.query('SELECT tenant_id, to_address, subject, text_body, html_body, template, status FROM mail_messages WHERE id = $1', [messageId]);
    expect(stored.rows).toEqual([{ tenant_id: tenantId, to_address: to, subject: 'Queued', text_body: 'Body', html_body: '<p>Body</p>', template: 'test.mail', status: 'queued' }]);
  });

  it('without SMTP_URL, delivery keeps the message as stored and sends nothing', async () => {
    const to = `stored-${uniqueSuffix()}@example.test`;
    const { envelopes, messageId } = await queueAndClaim(storing, { tenantId, to, subject: 'Kept', text: 'Body' });
    await deliver(storing, envelopes[0]);
    const stored = await readMessage(storing, messageId);
    expect(stored).toMatchObject({ status: 'stored', attempts: 1 });
    expect(stored.sent_at).toBeInstanceOf(Date);
    expect(receivedBy(to)).toEqual([]);
  });

  it('platform mail (no tenant) goes through the same outbox', async () => {
    const to = `platform-${uniqueSuffix()}@example.test`;
    const { envelopes, messageId } = await queueAndClaim(storing, { tenantId: null, to, subject: 'Reset your password', text: 'Link' });
    expect(envelopes).toEqual([{ tenantId: null, data: { messageId } }]);
    await deliver(storing, envelopes[0]);
    expect((await readMessage(storing, messageId)).status).toBe('stored');
  });

  it('with SMTP_URL, delivery sends the message over SMTP and marks it sent', async () => {
    const to = `sent-${uniqueSuffix()}@example.test`;
    const subject = 'Bienvenue — your workspace is ready ✓';
    const { envelopes, messageId } = await queueAndClaim(delivering, { tenantId, to, subject, text: 'Plain body line', html: '<p>Html body</p>' });
    await deliver(delivering, envelopes[0]);
    const received = receivedBy(to);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'robot@omni.test', recipients: [to], subject });
    expect(received[0]!.raw).toContain('Plain body line');
    const sent = await readMessage(delivering, messageId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(sent.provider_message_id).toEqual(expect.any(String));
  });

  it('a sent message is not sent again when its delivery job runs a second time', async () => {
    const to = `once-${uniqueSuffix()}@example.test`;
    const { envelopes, messageId } = await queueAndClaim(delivering, { tenantId, to, subject: 'Once', text: 'Body' });
    await deliver(delivering, envelopes[0]);
    await deliver(delivering, envelopes[0], 2);
    expect(receivedBy(to)).toHaveLength(1);
    expect((await readMessage(delivering, messageId)).attempts).toBe(1);
  });

  it('a message left in "sending" by an interrupted attempt is marked unconfirmed and not resent', async () => {
    const to = `interrupted-${uniqueSuffix()}@example.test`;
    const { envelopes, messageId } = await queueAndClaim(delivering, { tenantId, to, subject: 'Interrupted', text: 'Body' });
    await delivering.owner.query(`UPDATE mail_messages SET status = 'sending', attempts = 1 WHERE id = $1`, [messageId]);
    await deliver(delivering, envelopes[0], 2);
    const row = await readMessage(delivering, messageId);
    expect(row).toMatchObject({ status: 'unconfirmed', attempts: 1 });
    expect(row.last_error).toMatch(/outcome unknown/);
    expect(receivedBy(to)).toEqual([]);
    await deliver(delivering, envelopes[0], 3);
    expect(receivedBy(to)).toEqual([]);
  });

  it('an SMTP refusal marks the message failed and rethrows, so the job is retried later', async () => {
    const to = `refused-${uniqueSuffix()}@example.test`;
    const { envelopes, messageId } = await queueAndClaim(delivering, { tenantId, to, subject: 'Refused', text: 'Body' });
    await expect(deliver(delivering, envelopes[0])).rejects.toThrow(/550|Mailbox unavailable|rejected/i);
    const row = await readMessage(delivering, messageId);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toEqual(expect.any(String));
    expect(receivedBy(to)).toEqual([]);
  });
});
