import type {
  AcceptInvitationBody,
  CreateInvitationBody,
  Invitation,
  InvitationList,
  invitationListQuerySchema,
  InvitationLookup,
  MemberRole,
} from '@omni/contracts/tenancy';
import type { AuthSession } from '@omni/contracts/identity';
import type { z } from 'zod';
import { accountRoles, assertCan, requireActor, requireTenant, tenantRoles } from '../../../kernel/access.js';
import type { Config } from '../../../kernel/config.js';
import { generateToken, sha256Hex } from '../../../kernel/crypto/tokens.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess, withTenant, withSystemAccessRead, withTenantRead } from '../../../kernel/db/tenancy.js';
import { emitEvent } from '../../../kernel/events/events.js';
import { AppError, badRequest, conflict, forbidden, notFound, unauthorized, type FieldError } from '../../../kernel/errors.js';
import { queueMail } from '../../../kernel/mail/mail.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { createUser, findUserByEmail, getUser, markUserSessionsStale, startSession } from '../../identity/index.js';
import { invitationStatusOf, toInvitationDto } from '../tenancy.dto.js';
import { tenancyPermissions } from '../tenancy.permissions.js';
import {
  insertInvitation,
  insertMembership,
  markInvitationAccepted,
  markInvitationRevoked,
  selectAccountById,
  selectInvitationById,
  selectInvitationByTokenHash,
  selectInvitations,
  selectMembershipOf,
  selectPendingInvitationFor,
  selectTenantById,
  updateInvitationToken,
  updateMembershipRole,
  type InvitationView,
} from '../tenancy.queries.js';
import { decodeCursor, toPage } from '../tenancy.shared.js';
import { assertMayGrantRole, isTenantAdmin, requireActiveAccount } from './access.js';
import { resolveScope } from './memberships.js';
import { publicBaseUrl } from '../../../kernel/http/public-url.js';
import { escapeHtml } from '../../../kernel/mail/html.js';

type InvitationListQuery = z.infer<typeof invitationListQuerySchema>;

/** Invitations are valid for 7 days; resending issues a new link with a new 7-day window. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export function acceptInvitationUrl(config: Config, token: string): string {
  const base = publicBaseUrl(config);
  return `${base}/accept-invitation?token=${encodeURIComponent(token)}`;
}

type InvitationMail = { tenantId: string; tenantName: string; accountName: string | null; email: string; role: MemberRole; inviterName: string | null; expiresAt: Date };

async function queueInvitationMail(tx: Tx, config: Config, mail: InvitationMail, token: string): Promise<void> {
  const link = acceptInvitationUrl(config, token);
  const place = mail.accountName ? `${mail.accountName} (${mail.tenantName})` : mail.tenantName;
  const inviter = mail.inviterName ?? 'The Omni team';
  const expires = mail.expiresAt.toUTCString();
  await queueMail(tx, {
    tenantId: mail.tenantId,
    to: mail.email,
    subject: `You're invited to join ${place} on Omni`,
    text: `${inviter} invited you to join ${place} on Omni as ${mail.role}.\n\nAccept the invitation: ${link}\n\nThis link expires on ${expires}. If you did not expect it, ignore this email.`,
    html: `<p>${escapeHtml(inviter)} invited you to join <strong>${escapeHtml(place)}</strong> on Omni as <strong>${escapeHtml(mail.role)}</strong>.</p>
<p><a href="${escapeHtml(link)}">Accept the invitation</a></p>
<p>This link expires on ${escapeHtml(expires)}. If you did not expect it, ignore this email.</p>`,
    template: 'tenancy.invitation',
  });
}

/**
 * Store an invitation (only the SHA-256 of its token) and mail the link, in the caller's transaction.
 * Used by tenant admins' invitations and by the platform when it creates a tenant for an owner.
 */
export async function createInvitationRecord(
  tx: Tx,
  config: Config,
  input: { tenantId: string; tenantName: string; accountId: string | null; accountName: string | null; email: string; role: MemberRole; invitedBy: { id: string; name: string } | null },
): Promise<InvitationView> {
  const token = generateToken(32);
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  const id = await insertInvitation(tx, {
    tenantId: input.tenantId,
    accountId: input.accountId,
    email: input.email,
    role: input.role,
    tokenHash: sha256Hex(token),
    invitedBy: input.invitedBy?.id ?? null,
    expiresAt,
  });
  await queueInvitationMail(tx, config, { ...input, inviterName: input.invitedBy?.name ?? null, expiresAt }, token);
  return (await selectInvitationById(tx, id))!;
}

async function loadInvitation(tx: Tx, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<InvitationView> {
  const invitation = await selectInvitationById(tx, id, options);
  if (!invitation || invitation.tenantId !== tenantId) throw notFound('Invitation');
  return invitation;
}

export async function createInvitation(ctx: ServiceContext, input: CreateInvitationBody): Promise<Invitation> {
  assertCan(ctx, tenancyPermissions.invitationsManage);
  const tenantId = requireTenant(ctx);
  const actor = requireActor(ctx);
  const accountId = input.accountId ?? null;
  assertMayGrantRole(ctx, input.role, accountId);
  const invitation = await withTenant(ctx, async (tx) => {
    const tenant = await selectTenantById(tx, tenantId);
    if (!tenant) throw notFound('Tenant');
    let accountName: string | null = null;
    if (accountId !== null) {
      const account = await selectAccountById(tx, accountId);
      if (!account || account.tenantId !== tenantId || account.status !== 'active') throw notFound('Account');
      accountName = account.name;
    }
    const invitee = await findUserByEmail(tx, input.email);
    if (invitee && (await selectMembershipOf(tx, tenantId, invitee.id, accountId))) {
      throw conflict('membership.exists', `${input.email} is already a member ${accountName ? `of ${accountName}` : 'of this workspace'}; change their role instead.`);
    }
    if (await selectPendingInvitationFor(tx, tenantId, input.email, accountId)) {
      throw conflict('invitation.pending', `${input.email} already has a pending invitation here; resend or revoke it instead.`);
    }
    const inviter = await getUser(tx, actor.userId);
    return createInvitationRecord(tx, ctx.config, {
      tenantId,
      tenantName: tenant.name,
      accountId,
      accountName,
      email: input.email,
      role: input.role,
      invitedBy: { id: inviter.id, name: inviter.name },
    });
  });
  ctx.audit.targetType = 'invitation';
  ctx.audit.targetId = invitation.id;
  ctx.audit.metadata = { role: invitation.role, accountId: invitation.accountId };
  return toInvitationDto(invitation);
}

/** Tenant owners/admins see every invitation; account admins those of their active account. */
export async function listInvitations(ctx: ServiceContext, query: InvitationListQuery): Promise<InvitationList> {
  assertCan(ctx, tenancyPermissions.invitationsManage);
  const tenantId = requireTenant(ctx);
  let accountId = query.accountId ?? null;
  if (!isTenantAdmin(ctx)) {
    const ownAccountId = requireActiveAccount(ctx);
    if (accountId !== null && accountId !== ownAccountId) throw forbidden('You can see the invitations of your own account only.');
    accountId = ownAccountId;
  }
  const rows = await withTenantRead(ctx, (tx) =>
    selectInvitations(tx, { tenantId, accountId, status: query.status, limit: query.limit, cursor: decodeCursor(query.cursor) }),
  );
  return toPage(rows, query.limit, toInvitationDto);
}

/** Revoke (DELETE): the link stops working at once (410 invitation.revoked). Revoking twice is harmless. */
export async function revokeInvitation(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, tenancyPermissions.invitationsManage);
  const tenantId = requireTenant(ctx);
  await withTenant(ctx, async (tx) => {
    const invitation = await loadInvitation(tx, tenantId, id, { forUpdate: true });
    assertMayGrantRole(ctx, invitation.role, invitation.accountId);
    if (invitation.acceptedAt) throw conflict('invitation.used', 'This invitation was already accepted; remove the membership instead.');
    await markInvitationRevoked(tx, id);
  });
  ctx.audit.targetType = 'invitation';
  ctx.audit.targetId = id;
}

/** Resend: a new token (the old link stops working) and a new 7-day expiry; works for expired invitations too. */
export async function resendInvitation(ctx: ServiceContext, id: string): Promise<Invitation> {
  assertCan(ctx, tenancyPermissions.invitationsManage);
  const tenantId = requireTenant(ctx);
  const actor = requireActor(ctx);
  const invitation = await withTenant(ctx, async (tx) => {
    const current = await loadInvitation(tx, tenantId, id, { forUpdate: true });
    assertMayGrantRole(ctx, current.role, current.accountId);
    if (current.acceptedAt) throw conflict('invitation.used', 'This invitation was already accepted.');
    if (current.revokedAt) throw conflict('invitation.revoked', 'This invitation was revoked; create a new one instead.');
    const tenant = await selectTenantById(tx, tenantId);
    const inviter = await getUser(tx, actor.userId);
    const token = generateToken(32);
    const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
    await updateInvitationToken(tx, id, sha256Hex(token), expiresAt);
    await queueInvitationMail(
      tx,
      ctx.config,
      { tenantId, tenantName: tenant?.name ?? '', accountName: current.accountName, email: current.email, role: current.role, inviterName: inviter.name, expiresAt },
      token,
    );
    return (await selectInvitationById(tx, id))!;
  });
  ctx.audit.targetType = 'invitation';
  ctx.audit.targetId = id;
  return toInvitationDto(invitation);
}

type TokenInvitation = NonNullable<Awaited<ReturnType<typeof selectInvitationByTokenHash>>>;

/** 410 with a message saying why the link no longer works; 403 when the tenant is suspended. */
function assertInvitationUsable(invitation: TokenInvitation): void {
  const status = invitationStatusOf(invitation);
  if (status === 'accepted') {
    throw new AppError('gone', 'invitation.used', 'This invitation has already been accepted. Sign in to continue.');
  }
  if (status === 'revoked' || invitation.accountStatus === 'archived') {
    throw new AppError('gone', 'invitation.revoked', 'This invitation was withdrawn. Ask the person who invited you for a new one.');
  }
  if (status === 'expired') {
    throw new AppError(
      'gone',
      'invitation.expired',
      `This invitation expired on ${invitation.expiresAt.toUTCString()}. Ask the person who invited you to resend it.`,
    );
  }
  if (invitation.tenantStatus !== 'active') {
    throw new AppError('forbidden', 'tenant.suspended', 'This workspace is suspended; invitations to it cannot be accepted right now.');
  }
}

const invalidLink = () => new AppError('not_found', 'invitation.not_found', 'This invitation link is not valid. Check that you copied all of it.');

/** Public: what an invitation link is for, so the page can greet the invitee and choose sign-in or sign-up. */
export async function lookupInvitation(ctx: ServiceContext, token: string): Promise<InvitationLookup> {
  return withSystemAccessRead(ctx, 'invitation: lookup', async (tx) => {
    const invitation = await selectInvitationByTokenHash(tx, sha256Hex(token));
    if (!invitation) throw invalidLink();
    assertInvitationUsable(invitation);
    return {
      tenantName: invitation.tenantName,
      accountName: invitation.accountName,
      role: invitation.role,
      email: invitation.email,
      expiresAt: invitation.expiresAt.toISOString(),
      existingUser: (await findUserByEmail(tx, invitation.email)) !== null,
    };
  });
}

function roleRank(role: MemberRole, accountLevel: boolean): number {
  return accountLevel ? (accountRoles as string[]).indexOf(role) : (tenantRoles as string[]).indexOf(role);
}

/**
 * Accept an invitation. An existing user must be signed in as the invited email; a new user gives a name
 * and password (the email counts as verified: the link proved it). The membership is created (or raised
 * to the invited role, never lowered) and the user gets a session in the invited tenant/account.
 */
export async function acceptInvitation(ctx: ServiceContext, input: AcceptInvitationBody): Promise<AuthSession> {
  const outcome = await withSystemAccess(ctx, 'invitation: accept', async (tx) => {
    const invitation = await selectInvitationByTokenHash(tx, sha256Hex(input.token), { forUpdate: true });
    if (!invitation) throw invalidLink();
    assertInvitationUsable(invitation);
    let user = await findUserByEmail(tx, invitation.email);
    const isNewUser = user === null;
    if (ctx.actor) {
      if (!ctx.actor.sessionId) throw new AppError('forbidden', 'auth.session_required', 'Accept invitations as a signed-in user, not with an API key.');
      if (!user || user.id !== ctx.actor.userId) {
        throw new AppError(
          'forbidden',
          'invitation.email_mismatch',
          `This invitation is for ${invitation.email}, but you are signed in as someone else. Sign out and open the link again.`,
        );
      }
    } else if (user) {
      throw unauthorized(`An account for ${invitation.email} exists: sign in as ${invitation.email}, then open the link again.`, 'invitation.sign_in_required');
    } else {
      const missing: FieldError[] = [];
      if (!input.name) missing.push({ path: 'body.name', message: 'Enter your name.' });
      if (!input.password) missing.push({ path: 'body.password', message: 'Choose a password.' });
      if (missing.length > 0) throw badRequest('request.invalid', 'Enter your name and choose a password to create your account.', missing);
      user = await createUser(tx, { email: invitation.email, name: input.name!, password: input.password!, emailVerified: true });
    }
    const accountLevel = invitation.accountId !== null;
    const existing = await selectMembershipOf(tx, invitation.tenantId, user!.id, invitation.accountId);
    if (!existing) {
      await insertMembership(tx, { tenantId: invitation.tenantId, accountId: invitation.accountId, userId: user!.id, role: invitation.role });
    } else if (roleRank(invitation.role, accountLevel) > roleRank(existing.role, accountLevel)) {
      await updateMembershipRole(tx, existing.id, invitation.role);
    }
    await markInvitationAccepted(tx, invitation.id, user!.id);
    if (!isNewUser) await markUserSessionsStale(tx, user!.id);
    await emitEvent(tx, {
      tenantId: invitation.tenantId,
      type: 'tenancy.invitation_accepted',
      payload: { invitationId: invitation.id, userId: user!.id, role: invitation.role, accountId: invitation.accountId },
    });
    return { user: user!, invitation, isNewUser };
  });
  const { user, invitation } = outcome;
  ctx.audit.tenantId = invitation.tenantId;
  ctx.audit.targetType = 'invitation';
  ctx.audit.targetId = invitation.id;
  ctx.audit.metadata = { userId: user.id, role: invitation.role, accountId: invitation.accountId, newUser: outcome.isNewUser };
  const scope = await resolveScope(ctx, user.id, { tenantId: invitation.tenantId, accountId: invitation.accountId ?? undefined });
  return startSession(ctx, user, scope);
}
