import { z } from 'zod';

/** Audit log: one entry per mutating request, readable by tenant admins (own tenant) and super admins (all). */

export const auditEntrySchema = z.object({
  id: z.string(),
  tenantId: z.uuid().nullable(),
  actor: z.object({ userId: z.uuid(), name: z.string().nullable(), email: z.string().nullable() }).nullable(),
  apiKeyId: z.uuid().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  statusCode: z.number().int().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditListSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export type AuditList = z.infer<typeof auditListSchema>;

const instantSchema = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z.' });

export const auditListQuerySchema = z.object({
  action: z.string().trim().min(1).max(200).optional(),
  actorUserId: z.uuid('Actor user id must be a UUID.').optional(),
  targetType: z.string().trim().min(1).max(100).optional(),
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  limit: z.coerce.number().int('Limit must be a whole number.').min(1, 'Limit must be at least 1.').max(100, 'Limit must be at most 100.').default(25),
  cursor: z.string().min(1).max(500).optional(),
});
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

export const platformAuditListQuerySchema = auditListQuerySchema.extend({
  tenantId: z.uuid('Tenant id must be a UUID.').optional(),
});
export type PlatformAuditListQuery = z.infer<typeof platformAuditListQuerySchema>;
