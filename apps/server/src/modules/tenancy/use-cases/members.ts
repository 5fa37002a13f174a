import type { Member, MemberList, memberListQuerySchema, UpdateMemberBody } from '@omni/contracts/tenancy';
import type { z } from 'zod';
import { assertCan, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { conflict, forbidden, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { markUserSessionsStale } from '../../identity/index.js';
import { toMemberDto } from '../tenancy.dto.js';
import { tenancyPermissions } from '../tenancy.permissions.js';
import {
  deleteMembershipRow,
  lockTenantOwners,
  selectMemberById,
  selectMembers,
  updateMembershipRole,
  type MemberListRow,
} from '../tenancy.queries.js';
import { decodeCursor, toPage } from '../tenancy.shared.js';
import { assertMayGrantRole, assertMayManageMembership, requireActiveAccount } from './access.js';

type MemberListQuery = z.infer<typeof memberListQuerySchema>;

/**
 * Memberships of the active tenant. Anyone with a tenant-level role sees them all; people who only hold
 * account roles see their active account's members.
 */
export async function listMembers(ctx: ServiceContext, query: MemberListQuery): Promise<MemberList> {
  assertCan(ctx, tenancyPermissions.membersRead);
  const tenantId = requireTenant(ctx);
  let accountId = query.accountId ?? null;
  if (ctx.tenantRole === null) {
    const ownAccountId = requireActiveAccount(ctx);
    if (accountId !== null && accountId !== ownAccountId) throw forbidden('You can list the members of your own account only.');
    accountId = ownAccountId;
  }
  const rows = await withTenantRead(ctx, (tx) => selectMembers(tx, { tenantId, accountId, limit: query.limit, cursor: decodeCursor(query.cursor) }));
  return toPage(rows, query.limit, toMemberDto);
}

async function loadMember(tx: Tx, tenantId: string, id: string): Promise<MemberListRow> {
  const member = await selectMemberById(tx, id);
  if (!member || member.tenantId !== tenantId) throw notFound('Member');
  return member;
}

/** Refuse to leave the tenant without an owner (the owner rows are locked first, so two requests cannot both pass). */
async function assertNotLastOwner(tx: Tx, tenantId: string): Promise<void> {
  const owners = await lockTenantOwners(tx, tenantId);
  if (owners.length <= 1) {
    throw conflict('membership.last_owner', 'A workspace needs at least one owner: make someone else owner before removing or demoting the last one.');
  }
}

export async function updateMember(ctx: ServiceContext, id: string, input: UpdateMemberBody): Promise<Member> {
  assertCan(ctx, tenancyPermissions.membersManage);
  const tenantId = requireTenant(ctx);
  const member = await withTenant(ctx, async (tx) => {
    const current = await loadMember(tx, tenantId, id);
    assertMayManageMembership(ctx, current);
    assertMayGrantRole(ctx, input.role, current.accountId);
    if (current.role === input.role) return current;
    if (current.accountId === null && current.role === 'owner') await assertNotLastOwner(tx, tenantId);
    await updateMembershipRole(tx, id, input.role);
    await markUserSessionsStale(tx, current.userId);
    return { ...current, role: input.role };
  });
  ctx.audit.targetType = 'membership';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { userId: member.userId, role: input.role, accountId: member.accountId };
  return toMemberDto(member);
}

export async function removeMember(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, tenancyPermissions.membersManage);
  const tenantId = requireTenant(ctx);
  const removed = await withTenant(ctx, async (tx) => {
    const current = await loadMember(tx, tenantId, id);
    assertMayManageMembership(ctx, current);
    if (current.accountId === null && current.role === 'owner') await assertNotLastOwner(tx, tenantId);
    await deleteMembershipRow(tx, id);
    await markUserSessionsStale(tx, current.userId);
    return current;
  });
  ctx.audit.targetType = 'membership';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { userId: removed.userId, role: removed.role, accountId: removed.accountId };
}
