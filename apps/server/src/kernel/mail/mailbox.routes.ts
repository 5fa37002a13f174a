import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { withSystemAccessRead } from '../db/tenancy.js';
import { forbidden, notFound, unauthorized } from '../errors.js';

/**
 * The dev mailbox: every email the mail outbox stored, readable by super admins. It is how people (and
 * end-to-end tests) read verification, reset and invitation links when no SMTP server is configured.
 */
export const mailboxMessageSchema = z.object({
  id: z.uuid(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  template: z.string(),
  status: z.enum(['queued', 'sending', 'sent', 'stored', 'failed', 'unconfirmed']),
  createdAt: z.iso.datetime(),
});
export type MailboxMessage = z.infer<typeof mailboxMessageSchema>;

export const mailboxQuerySchema = z.object({
  to: z.string().trim().min(1).max(254).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const mailboxParamsSchema = z.object({ id: z.uuid() });

export const mailboxListSchema = z.object({ items: z.array(mailboxMessageSchema) });

type MailRow = {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  template: string;
  status: MailboxMessage['status'];
  /** Raw SQL through Drizzle returns timestamptz as PostgreSQL's text, not a Date. */
  created_at: string;
};

function toMailboxMessage(row: MailRow): MailboxMessage {
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    template: row.template,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

// Runs before validation, so callers who may not read the mailbox learn nothing about its parameters.
async function requireSuperAdmin(request: FastifyRequest): Promise<void> {
  const actor = request.ctx.actor;
  if (!actor) throw unauthorized();
  if (!actor.isSuperAdmin) throw forbidden('Only platform administrators can read the dev mailbox.');
}

const columns = sql`id, to_address, subject, text_body, html_body, template, status, created_at`;

/** GET /api/dev/mailbox and GET /api/dev/mailbox/:id. Registered by the kernel HTTP server. */
export async function registerDevMailboxRoutes(app: FastifyInstance): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/dev/mailbox',
    {
      onRequest: requireSuperAdmin,
      schema: {
        tags: ['dev'],
        summary: 'List stored outbox emails, newest first (super admin)',
        querystring: mailboxQuerySchema,
        response: { 200: mailboxListSchema },
      },
    },
    async (request) => {
      const { to, limit } = request.query;
      const rows = await withSystemAccessRead(request.ctx, 'dev mailbox', (tx) =>
        tx.execute<MailRow>(sql`SELECT ${columns} FROM mail_messages
          WHERE ${to === undefined ? sql`true` : sql`to_address = ${to}`}
          ORDER BY created_at DESC, id DESC LIMIT ${limit}`),
      );
      return { items: rows.rows.map(toMailboxMessage) };
    },
  );

  routes.get(
    '/api/dev/mailbox/:id',
    {
      onRequest: requireSuperAdmin,
      schema: {
        tags: ['dev'],
        summary: 'Read one stored outbox email (super admin)',
        params: mailboxParamsSchema,
        response: { 200: mailboxMessageSchema },
      },
    },
    async (request) => {
      const rows = await withSystemAccessRead(request.ctx, 'dev mailbox', (tx) =>
        tx.execute<MailRow>(sql`SELECT ${columns} FROM mail_messages WHERE id = ${request.params.id}`),
      );
      const row = rows.rows[0];
      if (!row) throw notFound('Mail');
      return toMailboxMessage(row);
    },
  );
}
