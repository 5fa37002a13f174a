import { auditListQuerySchema, auditListSchema, platformAuditListQuerySchema } from '@omni/contracts/audit';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listAuditEntries, listPlatformAuditEntries } from './audit.service.js';

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/audit', {
    schema: { tags: ['audit'], summary: "The active tenant's audit log (tenant admins)", querystring: auditListQuerySchema, response: { 200: auditListSchema } },
  }, async (request) => listAuditEntries(request.ctx, request.query));

  r.get('/api/platform/audit', {
    schema: { tags: ['platform'], summary: 'The audit log of every tenant and the platform (super admins)', querystring: platformAuditListQuerySchema, response: { 200: auditListSchema } },
  }, async (request) => listPlatformAuditEntries(request.ctx, request.query));
}
