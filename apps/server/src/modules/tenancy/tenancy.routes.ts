import { authSessionSchema } from '@omni/contracts/identity';
import {
  acceptInvitationBodySchema,
  accountListQuerySchema,
  accountListSchema,
  accountSchema,
  brandingSchema,
  createAccountBodySchema,
  createDomainBodySchema,
  createdPlatformTenantSchema,
  createInvitationBodySchema,
  createPlatformTenantBodySchema,
  createProfileBodySchema,
  domainListSchema,
  domainSchema,
  idParamsSchema,
  invitationListQuerySchema,
  invitationListSchema,
  invitationLookupQuerySchema,
  invitationLookupSchema,
  invitationSchema,
  memberListQuerySchema,
  memberListSchema,
  memberSchema,
  myMembershipsSchema,
  platformTenantListQuerySchema,
  platformTenantListSchema,
  profileListQuerySchema,
  profileListSchema,
  profileSchema,
  publicTenantSchema,
  registerBodySchema,
  registerResultSchema,
  suspendTenantBodySchema,
  tenantOverviewSchema,
  tenantSchema,
  tenantSlugParamsSchema,
  updateAccountBodySchema,
  updateBrandingBodySchema,
  updateMemberBodySchema,
  updateProfileBodySchema,
  updateTenantBodySchema,
} from '@omni/contracts/tenancy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { requestHostname } from './tenancy.guards.js';
import * as service from './tenancy.service.js';

const noContent = z.null().describe('No content');

/** Thin routes: validate with the contract, call one use case, return its DTO. */
export async function tenancyRoutes(app: FastifyInstance, kernel: Kernel): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const publicRoute = { ignoreBadCredentials: true } as const;

  // Sign-up and invitation acceptance create users: a per-IP limit on top of the global one.
  const signUpLimiter = app.createRateLimit({ max: kernel.config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000, keyGenerator: (request) => `sign-up:${request.ip}` });
  const limitSignUps = async (request: FastifyRequest) => {
    const result = await signUpLimiter(request);
    if (!result.isAllowed && result.isExceeded) {
      throw new AppError('too_many_requests', 'auth.rate_limited', 'Too many sign-ups from this address. Wait a minute and try again.', {
        retryAfterSeconds: Math.max(1, result.ttlInSeconds),
      });
    }
  };

  // ---------------------------------------------------------------- registration and the switcher
  r.post('/api/auth/register', {
    schema: { tags: ['auth'], summary: 'Sign up: a new user owning a new tenant (with a first account)', body: registerBodySchema, response: { 201: registerResultSchema } },
    config: { ...publicRoute, audit: 'tenancy.register' },
    preHandler: limitSignUps,
  }, async (request, reply) => reply.status(201).send(await service.registerTenant(request.ctx, request.body)));

  r.get('/api/me/memberships', {
    schema: { tags: ['tenancy'], summary: 'Every tenant and account the signed-in user can switch to', response: { 200: myMembershipsSchema } },
  }, async (request) => service.listMyMemberships(request.ctx));

  // ---------------------------------------------------------------- the active tenant
  r.get('/api/tenant', {
    schema: { tags: ['tenancy'], summary: 'The active tenant', response: { 200: tenantSchema } },
  }, async (request) => service.getTenant(request.ctx));

  r.patch('/api/tenant', {
    schema: { tags: ['tenancy'], summary: 'Rename the tenant or change its industry', body: updateTenantBodySchema, response: { 200: tenantSchema } },
    config: { audit: 'tenant.update' },
  }, async (request) => service.updateTenant(request.ctx, request.body));

  r.get('/api/tenant/overview', {
    schema: { tags: ['tenancy'], summary: 'Dashboard figures of the active tenant', response: { 200: tenantOverviewSchema } },
  }, async (request) => service.getTenantOverview(request.ctx));

  r.get('/api/tenant/branding', {
    schema: { tags: ['tenancy'], summary: "The tenant's branding", response: { 200: brandingSchema } },
  }, async (request) => service.getBranding(request.ctx));

  r.put('/api/tenant/branding', {
    schema: { tags: ['tenancy'], summary: 'Replace the branding (custom CSS is checked)', body: updateBrandingBodySchema, response: { 200: brandingSchema } },
    config: { audit: 'tenant.branding.update' },
  }, async (request) => service.updateBranding(request.ctx, request.body));

  r.get('/t/:slug/theme.css', {
    schema: { tags: ['tenancy'], summary: "A tenant's theme as CSS custom properties plus its custom CSS", params: tenantSlugParamsSchema },
    config: publicRoute,
  }, async (request, reply) => {
    const theme = await service.getThemeCss(kernel, request.params.slug);
    if (!theme) throw new AppError('not_found', 'tenant.not_found', 'No workspace has this address.');
    reply.header('etag', theme.etag).header('cache-control', 'public, max-age=60, must-revalidate').header('vary', 'accept-encoding');
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === theme.etag)) {
      return reply.status(304).send();
    }
    return reply.type('text/css; charset=utf-8').send(theme.css);
  });

  r.get('/api/public/tenant', {
    schema: { tags: ['tenancy'], summary: 'The tenant this host name belongs to (sub-domain or verified custom domain)', response: { 200: publicTenantSchema } },
    config: publicRoute,
  }, async (request) => service.getPublicTenant(kernel, requestHostname(request)));

  // ---------------------------------------------------------------- domains
  r.get('/api/tenant/domains', {
    schema: { tags: ['tenancy'], summary: "The tenant's custom domains", response: { 200: domainListSchema } },
  }, async (request) => service.listDomains(request.ctx));

  r.post('/api/tenant/domains', {
    schema: { tags: ['tenancy'], summary: 'Connect a custom domain (verify it next)', body: createDomainBodySchema, response: { 201: domainSchema } },
    config: { audit: 'domain.add' },
  }, async (request, reply) => reply.status(201).send(await service.addDomain(request.ctx, request.body)));

  r.delete('/api/tenant/domains/:id', {
    schema: { tags: ['tenancy'], summary: 'Disconnect a custom domain', params: idParamsSchema, response: { 204: noContent } },
    config: { audit: 'domain.remove' },
  }, async (request, reply) => {
    await service.removeDomain(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/tenant/domains/:id/verify', {
    schema: { tags: ['tenancy'], summary: 'Check the DNS TXT record of a custom domain', params: idParamsSchema, response: { 200: domainSchema } },
    config: { audit: 'domain.verify' },
  }, async (request) => service.verifyDomain(request.ctx, request.params.id));

  // ---------------------------------------------------------------- accounts
  r.get('/api/accounts', {
    schema: { tags: ['accounts'], summary: 'Accounts (admins: all; others: their own)', querystring: accountListQuerySchema, response: { 200: accountListSchema } },
  }, async (request) => service.listAccounts(request.ctx, request.query));

  r.post('/api/accounts', {
    schema: { tags: ['accounts'], summary: 'Create an account', body: createAccountBodySchema, response: { 201: accountSchema } },
    config: { audit: 'account.create' },
  }, async (request, reply) => reply.status(201).send(await service.createAccount(request.ctx, request.body)));

  r.get('/api/accounts/:id', {
    schema: { tags: ['accounts'], summary: 'One account', params: idParamsSchema, response: { 200: accountSchema } },
  }, async (request) => service.getAccount(request.ctx, request.params.id));

  r.patch('/api/accounts/:id', {
    schema: { tags: ['accounts'], summary: 'Rename, re-slug or restore an account', params: idParamsSchema, body: updateAccountBodySchema, response: { 200: accountSchema } },
    config: { audit: 'account.update' },
  }, async (request) => service.updateAccount(request.ctx, request.params.id, request.body));

  r.delete('/api/accounts/:id', {
    schema: { tags: ['accounts'], summary: 'Archive an account', params: idParamsSchema, response: { 204: noContent } },
    config: { audit: 'account.archive' },
  }, async (request, reply) => {
    await service.archiveAccount(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  // ---------------------------------------------------------------- members
  r.get('/api/members', {
    schema: { tags: ['members'], summary: 'Memberships of the tenant (account-only users: their account)', querystring: memberListQuerySchema, response: { 200: memberListSchema } },
  }, async (request) => service.listMembers(request.ctx, request.query));

  r.patch('/api/members/:id', {
    schema: { tags: ['members'], summary: "Change a member's role", params: idParamsSchema, body: updateMemberBodySchema, response: { 200: memberSchema } },
    config: { audit: 'member.update' },
  }, async (request) => service.updateMember(request.ctx, request.params.id, request.body));

  r.delete('/api/members/:id', {
    schema: { tags: ['members'], summary: 'Remove a membership', params: idParamsSchema, response: { 204: noContent } },
    config: { audit: 'member.remove' },
  }, async (request, reply) => {
    await service.removeMember(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  // ---------------------------------------------------------------- invitations
  r.get('/api/invitations', {
    schema: { tags: ['invitations'], summary: 'Invitations (tenant admins: all; account admins: their account)', querystring: invitationListQuerySchema, response: { 200: invitationListSchema } },
  }, async (request) => service.listInvitations(request.ctx, request.query));

  r.post('/api/invitations', {
    schema: { tags: ['invitations'], summary: 'Invite someone with a preset role (7-day link by email)', body: createInvitationBodySchema, response: { 201: invitationSchema } },
    config: { audit: 'invitation.create' },
  }, async (request, reply) => reply.status(201).send(await service.createInvitation(request.ctx, request.body)));

  r.delete('/api/invitations/:id', {
    schema: { tags: ['invitations'], summary: 'Revoke an invitation', params: idParamsSchema, response: { 204: noContent } },
    config: { audit: 'invitation.revoke' },
  }, async (request, reply) => {
    await service.revokeInvitation(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  r.post('/api/invitations/:id/resend', {
    schema: { tags: ['invitations'], summary: 'Send a new link (the old one stops working) with a new expiry', params: idParamsSchema, response: { 200: invitationSchema } },
    config: { audit: 'invitation.resend' },
  }, async (request) => service.resendInvitation(request.ctx, request.params.id));

  r.get('/api/invitations/lookup', {
    schema: { tags: ['invitations'], summary: 'What an invitation link is for (public)', querystring: invitationLookupQuerySchema, response: { 200: invitationLookupSchema } },
    config: publicRoute,
  }, async (request) => service.lookupInvitation(request.ctx, request.query.token));

  r.post('/api/invitations/accept', {
    schema: { tags: ['invitations'], summary: 'Accept an invitation (signed in as the invitee, or as a new user)', body: acceptInvitationBodySchema, response: { 200: authSessionSchema } },
    config: { audit: 'invitation.accept' },
    preHandler: limitSignUps,
  }, async (request) => service.acceptInvitation(request.ctx, request.body));

  // ---------------------------------------------------------------- profiles (active account)
  r.get('/api/profiles', {
    schema: { tags: ['profiles'], summary: 'Profiles in the active account', querystring: profileListQuerySchema, response: { 200: profileListSchema } },
  }, async (request) => service.listProfiles(request.ctx, request.query));

  r.post('/api/profiles', {
    schema: { tags: ['profiles'], summary: 'Create one of your profiles in the active account', body: createProfileBodySchema, response: { 201: profileSchema } },
    config: { audit: 'profile.create' },
  }, async (request, reply) => reply.status(201).send(await service.createProfile(request.ctx, request.body)));

  r.get('/api/profiles/:id', {
    schema: { tags: ['profiles'], summary: 'One profile', params: idParamsSchema, response: { 200: profileSchema } },
  }, async (request) => service.getProfile(request.ctx, request.params.id));

  r.patch('/api/profiles/:id', {
    schema: { tags: ['profiles'], summary: 'Edit a profile', params: idParamsSchema, body: updateProfileBodySchema, response: { 200: profileSchema } },
    config: { audit: 'profile.update' },
  }, async (request) => service.updateProfile(request.ctx, request.params.id, request.body));

  r.delete('/api/profiles/:id', {
    schema: { tags: ['profiles'], summary: 'Delete a profile', params: idParamsSchema, response: { 204: noContent } },
    config: { audit: 'profile.delete' },
  }, async (request, reply) => {
    await service.deleteProfile(request.ctx, request.params.id);
    return reply.status(204).send(null);
  });

  // ---------------------------------------------------------------- platform (super admins)
  r.get('/api/platform/tenants', {
    schema: { tags: ['platform'], summary: 'Every tenant, with member and account counts', querystring: platformTenantListQuerySchema, response: { 200: platformTenantListSchema } },
  }, async (request) => service.listPlatformTenants(request.ctx, request.query));

  r.post('/api/platform/tenants', {
    schema: { tags: ['platform'], summary: 'Create a tenant and invite its owner', body: createPlatformTenantBodySchema, response: { 201: createdPlatformTenantSchema } },
    config: { audit: 'platform.tenant.create' },
  }, async (request, reply) => reply.status(201).send(await service.createPlatformTenant(request.ctx, request.body)));

  r.post('/api/platform/tenants/:id/suspend', {
    schema: { tags: ['platform'], summary: 'Suspend a tenant (all its requests are refused)', params: idParamsSchema, body: suspendTenantBodySchema, response: { 200: tenantSchema } },
    config: { audit: 'platform.tenant.suspend' },
  }, async (request) => service.suspendTenant(request.ctx, request.params.id, request.body));

  r.post('/api/platform/tenants/:id/reactivate', {
    schema: { tags: ['platform'], summary: 'Reactivate a suspended tenant', params: idParamsSchema, response: { 200: tenantSchema } },
    config: { audit: 'platform.tenant.reactivate' },
  }, async (request) => service.reactivateTenant(request.ctx, request.params.id));
}
