import type { Account, Domain, Invitation, InvitationStatus, Member, Profile, Tenant } from '@omni/contracts/tenancy';
import { readBranding } from './tenancy.branding.js';
import type { InvitationView, MemberListRow } from './tenancy.queries.js';
import type { AccountRow, ProfileRow, TenantDomainRow, TenantRow } from './tenancy.schema.js';
import { toIso } from './tenancy.shared.js';

/** Rows → the DTOs of packages/contracts/src/tenancy.ts. Secrets (token hashes) never leave through here. */

export function toTenantDto(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    industry: row.industry,
    status: row.status,
    plan: row.plan,
    branding: readBranding(row.branding),
    suspendedAt: toIso(row.suspendedAt),
    suspendedReason: row.suspendedReason,
    createdAt: toIso(row.createdAt),
  };
}

export function toAccountDto(row: AccountRow): Account {
  return { id: row.id, name: row.name, slug: row.slug, status: row.status, createdAt: toIso(row.createdAt) };
}

export function toMemberDto(row: MemberListRow): Member {
  return {
    id: row.id,
    user: { id: row.userId, name: row.userName, email: row.userEmail },
    role: row.role,
    accountId: row.accountId,
    accountName: row.accountName,
    createdAt: toIso(row.createdAt),
  };
}

export function invitationStatusOf(row: Pick<InvitationView, 'acceptedAt' | 'revokedAt' | 'expiresAt'>, now = new Date()): InvitationStatus {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'pending';
}

export function toInvitationDto(row: InvitationView): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    accountId: row.accountId,
    accountName: row.accountName,
    status: invitationStatusOf(row),
    expiresAt: toIso(row.expiresAt),
    createdAt: toIso(row.createdAt),
    invitedBy: row.invitedBy ? { id: row.invitedBy, name: row.inviterName ?? '' } : null,
  };
}

export function toProfileDto(row: ProfileRow): Profile {
  return {
    id: row.id,
    userId: row.userId,
    accountId: row.accountId,
    displayName: row.displayName,
    slug: row.slug,
    headline: row.headline,
    bio: row.bio,
    visibility: row.visibility,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

export function toDomainDto(row: TenantDomainRow): Domain {
  return {
    id: row.id,
    domain: row.domain,
    kind: row.kind,
    verified: row.verifiedAt !== null,
    verifiedAt: toIso(row.verifiedAt),
    verificationRecord: { type: 'TXT', name: `_omni.${row.domain}`, value: `omni-verify=${row.verificationToken}` },
    createdAt: toIso(row.createdAt),
  };
}
