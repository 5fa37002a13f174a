import type { Account, AccountList, accountListQuerySchema, CreateAccountBody, UpdateAccountBody } from '@omni/contracts/tenancy';
import type { z } from 'zod';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { conflict, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { toAccountDto } from '../tenancy.dto.js';
import { tenancyPermissions } from '../tenancy.permissions.js';
import {
  insertAccount,
  isAccountSlugTaken,
  selectAccountById,
  selectAccounts,
  selectMembershipOf,
  updateAccountRow,
} from '../tenancy.queries.js';
import type { AccountRow } from '../tenancy.schema.js';
import { decodeCursor, isUniqueViolation, slugCandidates, slugify, toPage } from '../tenancy.shared.js';
import { isTenantAdmin } from './access.js';

type AccountListQuery = z.infer<typeof accountListQuerySchema>;

const accountSlugTaken = () => conflict('account.slug_taken', 'Another account of this workspace already uses this slug.');

/** Insert an account; an explicit slug must be free, a derived one steps around taken slugs. */
export async function createAccountRecord(tx: Tx, tenantId: string, input: { name: string; slug?: string }): Promise<AccountRow> {
  if (input.slug) {
    const account = await insertAccount(tx, { tenantId, name: input.name, slug: input.slug });
    if (!account) throw accountSlugTaken();
    return account;
  }
  for (const candidate of slugCandidates(slugify(input.name), 'account')) {
    if (await isAccountSlugTaken(tx, tenantId, candidate)) continue;
    const account = await insertAccount(tx, { tenantId, name: input.name, slug: candidate });
    if (account) return account;
  }
  throw accountSlugTaken();
}

/**
 * An account the actor may see: tenant owners/admins see every account; others only accounts they hold
 * a role in (and only active ones). Anything else is 404, exactly like another tenant's id.
 */
async function loadVisibleAccount(tx: Tx, ctx: ServiceContext, tenantId: string, id: string): Promise<AccountRow> {
  const account = await selectAccountById(tx, id);
  if (!account || account.tenantId !== tenantId) throw notFound('Account');
  if (isTenantAdmin(ctx)) return account;
  const membership = await selectMembershipOf(tx, tenantId, requireActor(ctx).userId, id);
  if (!membership || account.status !== 'active') throw notFound('Account');
  return account;
}

export async function listAccounts(ctx: ServiceContext, query: AccountListQuery): Promise<AccountList> {
  assertCan(ctx, tenancyPermissions.accountsRead);
  const tenantId = requireTenant(ctx);
  const admin = isTenantAdmin(ctx);
  const rows = await withTenantRead(ctx, (tx) =>
    selectAccounts(tx, {
      tenantId,
      status: admin ? query.status : 'active',
      memberUserId: admin ? null : requireActor(ctx).userId,
      limit: query.limit,
      cursor: decodeCursor(query.cursor),
    }),
  );
  return toPage(rows, query.limit, toAccountDto);
}

export async function getAccount(ctx: ServiceContext, id: string): Promise<Account> {
  assertCan(ctx, tenancyPermissions.accountsRead);
  const tenantId = requireTenant(ctx);
  return toAccountDto(await withTenantRead(ctx, (tx) => loadVisibleAccount(tx, ctx, tenantId, id)));
}

export async function createAccount(ctx: ServiceContext, input: CreateAccountBody): Promise<Account> {
  assertCan(ctx, tenancyPermissions.accountsCreate);
  const tenantId = requireTenant(ctx);
  const account = await withTenant(ctx, (tx) => createAccountRecord(tx, tenantId, input));
  ctx.audit.targetType = 'account';
  ctx.audit.targetId = account.id;
  return toAccountDto(account);
}

export async function updateAccount(ctx: ServiceContext, id: string, input: UpdateAccountBody): Promise<Account> {
  assertCan(ctx, tenancyPermissions.accountsManage);
  const tenantId = requireTenant(ctx);
  const account = await withTenant(ctx, async (tx) => {
    const existing = await loadVisibleAccount(tx, ctx, tenantId, id);
    if (input.slug && input.slug !== existing.slug && (await isAccountSlugTaken(tx, tenantId, input.slug, id))) throw accountSlugTaken();
    const patch = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
    };
    if (Object.keys(patch).length === 0) return existing;
    try {
      return (await updateAccountRow(tx, id, patch)) ?? existing;
    } catch (error) {
      // A concurrent rename took the slug between the check above and this update.
      if (isUniqueViolation(error)) throw accountSlugTaken();
      throw error;
    }
  });
  ctx.audit.targetType = 'account';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { fields: Object.keys(input) };
  return toAccountDto(account);
}

/** DELETE archives: the account's content stays, it leaves lists and switchers (PATCH status=active restores it). */
export async function archiveAccount(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, tenancyPermissions.accountsManage);
  const tenantId = requireTenant(ctx);
  await withTenant(ctx, async (tx) => {
    await loadVisibleAccount(tx, ctx, tenantId, id);
    await updateAccountRow(tx, id, { status: 'archived' });
  });
  ctx.audit.targetType = 'account';
  ctx.audit.targetId = id;
}
