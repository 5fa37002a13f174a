import type { CreateProfileBody, Profile, ProfileList, profileListQuerySchema, UpdateProfileBody } from '@omni/contracts/tenancy';
import type { z } from 'zod';
import { assertCan, can, requireActor, requireTenant } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { conflict, forbidden, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { toProfileDto } from '../tenancy.dto.js';
import { tenancyPermissions } from '../tenancy.permissions.js';
import { deleteProfileRow, insertProfile, isProfileSlugTaken, selectProfileById, selectProfiles, updateProfileRow } from '../tenancy.queries.js';
import type { ProfileRow } from '../tenancy.schema.js';
import { decodeCursor, isUniqueViolation, slugCandidates, slugify, toPage } from '../tenancy.shared.js';
import { requireActiveAccount } from './access.js';

type ProfileListQuery = z.infer<typeof profileListQuerySchema>;

/**
 * Profiles: a user's personas in an account (several per user), in the active account. Visibility:
 * public and tenant profiles are listed to everyone in the account; private ones only to their owner and
 * the account's admins.
 */

const profileSlugTaken = () => conflict('profile.slug_taken', 'Another profile in this account already uses this slug.');

/** Insert a profile; an explicit slug must be free in the account, a derived one steps around taken slugs. */
export async function createProfileRecord(
  tx: Tx,
  input: Pick<ProfileRow, 'tenantId' | 'accountId' | 'userId' | 'displayName'> & Partial<Pick<ProfileRow, 'slug' | 'headline' | 'bio' | 'visibility'>>,
): Promise<ProfileRow> {
  const values = {
    tenantId: input.tenantId,
    accountId: input.accountId,
    userId: input.userId,
    displayName: input.displayName,
    headline: input.headline ?? null,
    bio: input.bio ?? null,
    visibility: input.visibility ?? 'tenant',
  };
  if (input.slug) {
    const profile = await insertProfile(tx, { ...values, slug: input.slug });
    if (!profile) throw profileSlugTaken();
    return profile;
  }
  for (const candidate of slugCandidates(slugify(input.displayName), 'profile')) {
    if (await isProfileSlugTaken(tx, input.accountId, candidate)) continue;
    const profile = await insertProfile(tx, { ...values, slug: candidate });
    if (profile) return profile;
  }
  throw profileSlugTaken();
}

function canSeeAllProfiles(ctx: ServiceContext): boolean {
  return can(ctx, tenancyPermissions.profilesManage);
}

/** A profile of the active account the actor may see; anything else (other accounts, tenants, private) is 404. */
async function loadVisibleProfile(tx: Tx, ctx: ServiceContext, accountId: string, id: string): Promise<ProfileRow> {
  const profile = await selectProfileById(tx, id);
  const userId = requireActor(ctx).userId;
  if (!profile || profile.accountId !== accountId) throw notFound('Profile');
  if (profile.visibility === 'private' && profile.userId !== userId && !canSeeAllProfiles(ctx)) throw notFound('Profile');
  return profile;
}

/** The owner edits their own profiles (profiles:write); account admins anyone's (profiles:manage). */
function assertMayEditProfile(ctx: ServiceContext, profile: ProfileRow): void {
  if (profile.userId === requireActor(ctx).userId) assertCan(ctx, tenancyPermissions.profilesWrite);
  else if (!canSeeAllProfiles(ctx)) throw forbidden("You can edit your own profiles only; account admins can edit anyone's.");
}

export async function listProfiles(ctx: ServiceContext, query: ProfileListQuery): Promise<ProfileList> {
  assertCan(ctx, tenancyPermissions.profilesRead);
  requireTenant(ctx);
  const accountId = requireActiveAccount(ctx);
  const rows = await withTenantRead(ctx, (tx) =>
    selectProfiles(tx, {
      accountId,
      viewerUserId: requireActor(ctx).userId,
      includePrivate: canSeeAllProfiles(ctx),
      userId: query.userId,
      limit: query.limit,
      cursor: decodeCursor(query.cursor),
    }),
  );
  return toPage(rows, query.limit, toProfileDto);
}

export async function getProfile(ctx: ServiceContext, id: string): Promise<Profile> {
  assertCan(ctx, tenancyPermissions.profilesRead);
  requireTenant(ctx);
  const accountId = requireActiveAccount(ctx);
  return toProfileDto(await withTenantRead(ctx, (tx) => loadVisibleProfile(tx, ctx, accountId, id)));
}

/** Create one of the signed-in user's own profiles in the active account. */
export async function createProfile(ctx: ServiceContext, input: CreateProfileBody): Promise<Profile> {
  assertCan(ctx, tenancyPermissions.profilesWrite);
  const tenantId = requireTenant(ctx);
  const accountId = requireActiveAccount(ctx);
  const userId = requireActor(ctx).userId;
  const profile = await withTenant(ctx, (tx) => createProfileRecord(tx, { tenantId, accountId, userId, ...input }));
  ctx.audit.targetType = 'profile';
  ctx.audit.targetId = profile.id;
  return toProfileDto(profile);
}

export async function updateProfile(ctx: ServiceContext, id: string, input: UpdateProfileBody): Promise<Profile> {
  assertCan(ctx, tenancyPermissions.profilesRead);
  requireTenant(ctx);
  const accountId = requireActiveAccount(ctx);
  const profile = await withTenant(ctx, async (tx) => {
    const current = await loadVisibleProfile(tx, ctx, accountId, id);
    assertMayEditProfile(ctx, current);
    if (input.slug && input.slug !== current.slug && (await isProfileSlugTaken(tx, accountId, input.slug, id))) throw profileSlugTaken();
    const patch = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
    if (Object.keys(patch).length === 0) return current;
    try {
      return (await updateProfileRow(tx, id, patch)) ?? current;
    } catch (error) {
      if (isUniqueViolation(error)) throw profileSlugTaken();
      throw error;
    }
  });
  ctx.audit.targetType = 'profile';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { fields: Object.keys(input) };
  return toProfileDto(profile);
}

export async function deleteProfile(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, tenancyPermissions.profilesRead);
  requireTenant(ctx);
  const accountId = requireActiveAccount(ctx);
  await withTenant(ctx, async (tx) => {
    const current = await loadVisibleProfile(tx, ctx, accountId, id);
    assertMayEditProfile(ctx, current);
    await deleteProfileRow(tx, id);
  });
  ctx.audit.targetType = 'profile';
  ctx.audit.targetId = id;
}
