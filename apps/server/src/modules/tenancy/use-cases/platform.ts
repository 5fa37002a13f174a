import type {
  CreatedPlatformTenant,
  CreatePlatformTenantBody,
  PlatformTenantList,
  platformTenantListQuerySchema,
  SuspendTenantBody,
  Tenant,
} from '@omni/contracts/tenancy';
import type { z } from 'zod';
import { assertCan, requireActor } from '../../../kernel/access.js';
import { withSystemAccess, withSystemAccessRead } from '../../../kernel/db/tenancy.js';
import { emitEvent } from '../../../kernel/events/events.js';
import { notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { getUser } from '../../identity/index.js';
import { toInvitationDto, toTenantDto } from '../tenancy.dto.js';
import { forgetTenantHost, noteTenantStatus } from '../tenancy.guards.js';
import { tenancyPermissions } from '../tenancy.permissions.js';
import { selectPlatformTenants, updateTenantStatus } from '../tenancy.queries.js';
import { decodeCursor, toIso, toPage } from '../tenancy.shared.js';
import { createInvitationRecord } from './invitations.js';
import { provisionTenant } from './tenants.js';

type PlatformTenantListQuery = z.infer<typeof platformTenantListQuerySchema>;

/** Super admins' tenant administration: every path here is platform-level (audited with tenant null). */

function markPlatformAudit(ctx: ServiceContext, tenantId: string, metadata: Record<string, unknown> = {}): void {
  ctx.audit.tenantId = null;
  ctx.audit.targetType = 'tenant';
  ctx.audit.targetId = tenantId;
  ctx.audit.metadata = metadata;
}

export async function listPlatformTenants(ctx: ServiceContext, query: PlatformTenantListQuery): Promise<PlatformTenantList> {
  assertCan(ctx, tenancyPermissions.platformTenants);
  const rows = await withSystemAccessRead(ctx, 'platform: list tenants', (tx) =>
    selectPlatformTenants(tx, { q: query.q || undefined, status: query.status, limit: query.limit, cursor: decodeCursor(query.cursor) }),
  );
  return toPage(rows, query.limit, (row) => ({
    id: row.id,
    name: row.name,
    slug: row.slug,
    industry: row.industry,
    status: row.status,
    plan: row.plan,
    suspendedAt: toIso(row.suspendedAt),
    suspendedReason: row.suspendedReason,
    createdAt: toIso(row.createdAt),
    memberCount: row.memberCount,
    accountCount: row.accountCount,
  }));
}

/** Create a tenant (with its first account) and invite its owner by email. */
export async function createPlatformTenant(ctx: ServiceContext, input: CreatePlatformTenantBody): Promise<CreatedPlatformTenant> {
  assertCan(ctx, tenancyPermissions.platformTenants);
  const actor = requireActor(ctx);
  const result = await withSystemAccess(ctx, 'platform: create tenant', async (tx) => {
    const { tenant } = await provisionTenant(tx, { name: input.name, slug: input.slug, industry: input.industry });
    const inviter = await getUser(tx, actor.userId);
    const invitation = await createInvitationRecord(tx, ctx.config, {
      tenantId: tenant.id,
      tenantName: tenant.name,
      accountId: null,
      accountName: null,
      email: input.ownerEmail,
      role: 'owner',
      invitedBy: { id: inviter.id, name: inviter.name },
    });
    await emitEvent(tx, { tenantId: tenant.id, type: 'tenancy.tenant_created', payload: { tenantId: tenant.id, slug: tenant.slug, ownerUserId: null } });
    return { tenant, invitation };
  });
  forgetTenantHost(ctx, result.tenant.slug);
  markPlatformAudit(ctx, result.tenant.id, { slug: result.tenant.slug, invitationId: result.invitation.id });
  return { tenant: toTenantDto(result.tenant), invitation: toInvitationDto(result.invitation) };
}

/** Suspend: every request acting in the tenant is refused with 403 tenant.suspended until reactivated. */
export async function suspendTenant(ctx: ServiceContext, id: string, input: SuspendTenantBody): Promise<Tenant> {
  assertCan(ctx, tenancyPermissions.platformTenants);
  const tenant = await withSystemAccess(ctx, 'platform: suspend tenant', async (tx) => {
    const updated = await updateTenantStatus(tx, id, { status: 'suspended', reason: input.reason });
    if (!updated) throw notFound('Tenant');
    await emitEvent(tx, { tenantId: id, type: 'tenancy.tenant_suspended', payload: { tenantId: id } });
    return updated;
  });
  noteTenantStatus(id, 'suspended');
  markPlatformAudit(ctx, id, { reason: input.reason });
  return toTenantDto(tenant);
}

export async function reactivateTenant(ctx: ServiceContext, id: string): Promise<Tenant> {
  assertCan(ctx, tenancyPermissions.platformTenants);
  const tenant = await withSystemAccess(ctx, 'platform: reactivate tenant', async (tx) => {
    const updated = await updateTenantStatus(tx, id, { status: 'active' });
    if (!updated) throw notFound('Tenant');
    await emitEvent(tx, { tenantId: id, type: 'tenancy.tenant_reactivated', payload: { tenantId: id } });
    return updated;
  });
  noteTenantStatus(id, 'active');
  markPlatformAudit(ctx, id);
  return toTenantDto(tenant);
}
