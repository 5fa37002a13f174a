import {
  reservedTenantSlugs,
  type Branding,
  type Industry,
  type PublicTenant,
  type RegisterBody,
  type RegisterResult,
  type Tenant,
  type TenantOverview,
  type UpdateBrandingBody,
  type UpdateTenantBody,
} from '@omni/contracts/tenancy';
import { assertCan, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess, withTenant, withSystemAccessRead, withTenantRead } from '../../../kernel/db/tenancy.js';
import { emitEvent } from '../../../kernel/events/events.js';
import { conflict, notFound } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { countAuditEvents } from '../../audit/index.js';
import { createUser, queueEmailVerification, startSession } from '../../identity/index.js';
import { buildBranding, readBranding, renderThemeCss, themeEtag } from '../tenancy.branding.js';
import { toTenantDto } from '../tenancy.dto.js';
import { forgetTenantHost, resolveTenantIdByHost } from '../tenancy.guards.js';
import { tenancyPermissions } from '../tenancy.permissions.js';
import {
  insertAccount,
  insertMembership,
  insertTenant,
  isTenantSlugTaken,
  selectTenantById,
  selectTenantBySlug,
  selectTenantFigures,
  updateTenantRow,
} from '../tenancy.queries.js';
import type { AccountRow, TenantRow } from '../tenancy.schema.js';
import { slugCandidates, slugify } from '../tenancy.shared.js';

const slugTaken = () => conflict('tenant.slug_taken', 'This address is already taken by another workspace; choose another.');

/**
 * Create a tenant and its first account (named after it; withFirstAccount: false skips it), in the
 * caller's (system) transaction.
 * An explicit slug must be free (409 tenant.slug_taken); a derived one steps around taken and reserved
 * slugs (acme, acme-2, …). Memberships are the caller's business.
 */
export async function provisionTenant(
  tx: Tx,
  input: { name: string; slug?: string; industry: Industry; branding?: Branding; withFirstAccount?: boolean },
): Promise<{ tenant: TenantRow; account: AccountRow | null }> {
  const values = { name: input.name, industry: input.industry, branding: input.branding ?? {} };
  let tenant: TenantRow | null = null;
  if (input.slug) {
    tenant = await insertTenant(tx, { ...values, slug: input.slug });
    if (!tenant) throw slugTaken();
  } else {
    for (const candidate of slugCandidates(slugify(input.name), 'team', 3)) {
      if (reservedTenantSlugs.includes(candidate) || (await isTenantSlugTaken(tx, candidate))) continue;
      tenant = await insertTenant(tx, { ...values, slug: candidate });
      if (tenant) break;
    }
  }
  if (input.withFirstAccount === false) return { tenant: tenant!, account: null };
  const account = await insertAccount(tx, { tenantId: tenant!.id, name: input.name, slug: slugify(input.name) || 'main' });
  return { tenant: tenant!, account };
}

/** Sign-up: a new user owning a new tenant with a first account, signed in there; the verification mail is queued. */
export async function registerTenant(ctx: ServiceContext, input: RegisterBody): Promise<RegisterResult> {
  const { session, tenant } = await withSystemAccess(ctx, 'register', async (tx) => {
    const user = await createUser(tx, { email: input.email, name: input.name, password: input.password });
    const { tenant, account } = await provisionTenant(tx, {
      name: input.tenantName,
      slug: input.tenantSlug,
      industry: input.industry ?? 'marketing_agency',
    });
    await insertMembership(tx, { tenantId: tenant.id, accountId: null, userId: user.id, role: 'owner' });
    await queueEmailVerification(tx, ctx, user);
    await emitEvent(tx, { tenantId: tenant.id, type: 'tenancy.tenant_created', payload: { tenantId: tenant.id, slug: tenant.slug, ownerUserId: user.id } });
    // The user row is not committed yet, so the session is created in this same transaction.
    const session = await startSession(ctx, user, { tenantId: tenant.id, accountId: account?.id ?? null, tenantRole: 'owner', accountRole: null }, tx);
    return { session, tenant };
  });
  forgetTenantHost(ctx, tenant.slug);
  ctx.audit.tenantId = tenant.id;
  ctx.audit.targetType = 'tenant';
  ctx.audit.targetId = tenant.id;
  ctx.audit.metadata = { slug: tenant.slug, userId: session.user.id };
  return { ...session, tenant: toTenantDto(tenant) };
}

async function loadTenant(tx: Tx, tenantId: string): Promise<TenantRow> {
  const tenant = await selectTenantById(tx, tenantId);
  if (!tenant) throw notFound('Tenant');
  return tenant;
}

export async function getTenant(ctx: ServiceContext): Promise<Tenant> {
  assertCan(ctx, tenancyPermissions.tenantRead);
  const tenantId = requireTenant(ctx);
  return toTenantDto(await withTenantRead(ctx, (tx) => loadTenant(tx, tenantId)));
}

export async function updateTenant(ctx: ServiceContext, input: UpdateTenantBody): Promise<Tenant> {
  assertCan(ctx, tenancyPermissions.tenantManage);
  const tenantId = requireTenant(ctx);
  const tenant = await withTenant(ctx, async (tx) => {
    if (input.name === undefined && input.industry === undefined) return loadTenant(tx, tenantId);
    const updated = await updateTenantRow(tx, tenantId, { ...(input.name ? { name: input.name } : {}), ...(input.industry ? { industry: input.industry } : {}) });
    if (!updated) throw notFound('Tenant');
    return updated;
  });
  ctx.audit.targetType = 'tenant';
  ctx.audit.targetId = tenantId;
  ctx.audit.metadata = { fields: Object.keys(input) };
  return toTenantDto(tenant);
}

/** Dashboard figures, all counted in the tenant's own transaction (row-level security applies). */
export async function getTenantOverview(ctx: ServiceContext): Promise<TenantOverview> {
  assertCan(ctx, tenancyPermissions.tenantRead);
  const tenantId = requireTenant(ctx);
  return withTenant(ctx, async (tx) => {
    const figures = await selectTenantFigures(tx, tenantId);
    const auditEvents7d = await countAuditEvents(tx, { tenantId, since: new Date(Date.now() - 7 * 24 * 3600 * 1000) });
    return { ...figures, auditEvents7d };
  });
}

export async function getBranding(ctx: ServiceContext): Promise<Branding> {
  assertCan(ctx, tenancyPermissions.tenantRead);
  const tenantId = requireTenant(ctx);
  return readBranding((await withTenantRead(ctx, (tx) => loadTenant(tx, tenantId))).branding);
}

/** Replace the branding (custom CSS is parsed and refused with 400 branding.invalid_css when unsafe). */
export async function updateBranding(ctx: ServiceContext, input: UpdateBrandingBody): Promise<Branding> {
  assertCan(ctx, tenancyPermissions.tenantManage);
  const tenantId = requireTenant(ctx);
  const branding = buildBranding(input);
  const updated = await withTenant(ctx, (tx) => updateTenantRow(tx, tenantId, { branding }));
  if (!updated) throw notFound('Tenant');
  ctx.audit.targetType = 'tenant';
  ctx.audit.targetId = tenantId;
  ctx.audit.metadata = { customCssBytes: branding.customCss ? Buffer.byteLength(branding.customCss) : 0 };
  return readBranding(updated.branding);
}

/** theme.css of a tenant by slug (public), with its ETag; null for an unknown slug. */
export async function getThemeCss(kernel: Kernel, slug: string): Promise<{ css: string; etag: string } | null> {
  const tenant = await withSystemAccessRead(kernel, 'theme: tenant by slug', (tx) => selectTenantBySlug(tx, slug.toLowerCase()));
  if (!tenant) return null;
  const css = renderThemeCss(readBranding(tenant.branding));
  return { css, etag: themeEtag(css) };
}

/** The tenant of the request's host (sub-domain or verified custom domain): name, slug and branding. */
export async function getPublicTenant(kernel: Kernel, host: string): Promise<PublicTenant> {
  const tenantId = await resolveTenantIdByHost(kernel, host);
  if (!tenantId) throw notFound('Tenant');
  const tenant = await withTenantRead({ db: kernel.db, tenantId }, (tx) => selectTenantById(tx, tenantId));
  if (!tenant) throw notFound('Tenant');
  return { name: tenant.name, slug: tenant.slug, branding: readBranding(tenant.branding) };
}
