import type { CreateDomainBody, Domain, DomainList } from '@omni/contracts/tenancy';
import dns from 'node:dns/promises';
import { assertCan, requireTenant } from '../../../kernel/access.js';
import { generateRandomString } from '../../../kernel/crypto/tokens.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, badRequest, conflict, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { toDomainDto } from '../tenancy.dto.js';
import { forgetHost } from '../tenancy.guards.js';
import { tenancyPermissions } from '../tenancy.permissions.js';
import { deleteDomainRow, insertDomain, markDomainVerified, selectDomainById, selectDomains } from '../tenancy.queries.js';

/**
 * Custom domains. `<slug>.<ROOT_DOMAIN>` always resolves without a record here; a custom domain resolves
 * once verified by a DNS TXT record `_omni.<domain>` = `omni-verify=<token>`.
 */

export async function listDomains(ctx: ServiceContext): Promise<DomainList> {
  assertCan(ctx, tenancyPermissions.tenantManage);
  const tenantId = requireTenant(ctx);
  const rows = await withTenantRead(ctx, (tx) => selectDomains(tx, tenantId));
  return { items: rows.map(toDomainDto), nextCursor: null };
}

export async function addDomain(ctx: ServiceContext, input: CreateDomainBody): Promise<Domain> {
  assertCan(ctx, tenancyPermissions.tenantManage);
  const tenantId = requireTenant(ctx);
  const rootDomain = ctx.config.ROOT_DOMAIN.toLowerCase();
  if (input.domain === rootDomain || input.domain.endsWith(`.${rootDomain}`)) {
    throw badRequest('domain.reserved', `Addresses under ${rootDomain} are the platform's: your workspace already answers at <slug>.${rootDomain}.`, [
      { path: 'body.domain', message: `must not be ${rootDomain} or one of its sub-domains` },
    ]);
  }
  const row = await withTenant(ctx, (tx) =>
    insertDomain(tx, { tenantId, domain: input.domain, kind: 'custom', verificationToken: generateRandomString(32) }),
  );
  if (!row) throw conflict('domain.taken', `${input.domain} is already connected to a workspace.`);
  ctx.audit.targetType = 'domain';
  ctx.audit.targetId = row.id;
  ctx.audit.metadata = { domain: row.domain };
  return toDomainDto(row);
}

export async function removeDomain(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, tenancyPermissions.tenantManage);
  const tenantId = requireTenant(ctx);
  const removed = await withTenant(ctx, async (tx) => {
    const row = await selectDomainById(tx, id);
    if (!row || row.tenantId !== tenantId) throw notFound('Domain');
    await deleteDomainRow(tx, id);
    return row;
  });
  forgetHost(removed.domain);
  ctx.audit.targetType = 'domain';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { domain: removed.domain };
}

async function readTxtRecords(name: string): Promise<string[]> {
  try {
    const records = await dns.resolveTxt(name);
    // A TXT record may arrive split into several character-strings; they form one value.
    return records.map((chunks) => chunks.join(''));
  } catch (error) {
    // Any resolver failure (no such name, no TXT data, timeout, refused…) means "not verified yet": the
    // caller answers 422 with instructions rather than a 5xx.
    if (typeof (error as { code?: unknown }).code === 'string') return [];
    throw error;
  }
}

/** Check the TXT record now; 422 domain.verification_failed with the record to create when it is missing. */
export async function verifyDomain(ctx: ServiceContext, id: string): Promise<Domain> {
  assertCan(ctx, tenancyPermissions.tenantManage);
  const tenantId = requireTenant(ctx);
  const row = await withTenantRead(ctx, (tx) => selectDomainById(tx, id));
  if (!row || row.tenantId !== tenantId) throw notFound('Domain');
  ctx.audit.targetType = 'domain';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { domain: row.domain };
  if (row.verifiedAt) return toDomainDto(row);

  const dto = toDomainDto(row);
  const expected = dto.verificationRecord.value;
  const found = await readTxtRecords(dto.verificationRecord.name);
  if (!found.some((value) => value.trim() === expected)) {
    throw new AppError(
      'unprocessable',
      'domain.verification_failed',
      `We could not find the verification record. Create a DNS TXT record named ${dto.verificationRecord.name} with the value ${expected}, wait for DNS to update (this can take a while), then verify again.`,
      { record: dto.verificationRecord, found: found.slice(0, 10) },
    );
  }
  const verified = await withTenant(ctx, (tx) => markDomainVerified(tx, id));
  if (!verified) throw notFound('Domain');
  forgetHost(verified.domain);
  return toDomainDto(verified);
}
