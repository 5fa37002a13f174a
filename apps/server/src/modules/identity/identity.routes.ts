import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiKeyIdParamsSchema,
  apiKeyListSchema,
  authSessionSchema,
  changePasswordBodySchema,
  createApiKeyBodySchema,
  createdApiKeySchema,
  forgotPasswordBodySchema,
  loginBodySchema,
  logoutBodySchema,
  magicLinkBodySchema,
  magicLinkVerifyBodySchema,
  permissionListSchema,
  refreshBodySchema,
  resetPasswordBodySchema,
  revokeOtherSessionsResultSchema,
  sessionIdParamsSchema,
  sessionListSchema,
  switchScopeBodySchema,
  updateUserProfileBodySchema,
  userSchema,
  verifyEmailBodySchema,
} from '@omni/contracts/identity';
import { AppError } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { startRevocationList } from './identity.revocations.js';
import { assertSigningKeys } from './identity.tokens.js';
import type { IdentityDependencies } from './identity.types.js';
import {
  changePassword,
  createApiKey,
  getProfile,
  listApiKeys,
  listApiKeyScopes,
  listSessions,
  login,
  logout,
  refreshSession,
  requestMagicLink,
  requestPasswordReset,
  resendEmailVerification,
  resetPassword,
  revokeApiKey,
  revokeOtherSessions,
  revokeSession,
  signInWithMagicLink,
  switchScope,
  updateProfile,
  verifyEmail,
} from './identity.service.js';

const tags = ['auth'];
const noContent = z.void().describe('No content');
const accepted = z.void().describe('Accepted; nothing to return');

export function createIdentityRoutes(deps: IdentityDependencies) {
  return async function identityRoutes(app: FastifyInstance, kernel: Kernel): Promise<void> {
    const { config } = kernel;
    assertSigningKeys(config);
    const revocations = await startRevocationList(kernel);
    app.addHook('onClose', async () => revocations.stop());

    // Per-account limit on routes that name an email, on top of (not instead of) the global per-IP limit:
    // a route-level rateLimit config would replace the per-IP limit for that route, so this runs as a
    // separate limiter keyed by the lower-cased email.
    const emailLimiter = app.createRateLimit({
      max: config.AUTH_RATE_LIMIT_PER_MINUTE,
      timeWindow: 60_000,
      keyGenerator: (request) => `auth-email:${(request.body as { email?: string } | undefined)?.email ?? ''}`,
    });
    const limitPerEmail = async (request: FastifyRequest) => {
      const result = await emailLimiter(request);
      if (!result.isAllowed && result.isExceeded) {
        throw new AppError('too_many_requests', 'auth.rate_limited', 'Too many requests for this account. Wait a minute and try again.', {
          retryAfterSeconds: Math.max(1, result.ttlInSeconds),
        });
      }
    };
    const publicRoute = { ignoreBadCredentials: true } as const;

    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post('/api/auth/login', {
      schema: { tags, summary: 'Sign in with email and password', body: loginBodySchema, response: { 200: authSessionSchema } },
      config: { ...publicRoute, audit: 'auth.login' },
      preHandler: limitPerEmail,
    }, async (request) => login(request.ctx, deps, request.body));

    r.post('/api/auth/refresh', {
      schema: { tags, summary: 'Rotate the refresh token and get a new access token', body: refreshBodySchema, response: { 200: authSessionSchema } },
      // Token rotation is machinery, not a user action: it would flood the audit log every few minutes.
      config: { ...publicRoute, audit: false },
    }, async (request) => refreshSession(request.ctx, deps, request.body.refreshToken));

    r.post('/api/auth/logout', {
      schema: { tags, summary: 'Sign out of the current session', body: logoutBodySchema.nullish(), response: { 204: noContent } },
      config: { ...publicRoute, audit: 'auth.logout' },
    }, async (request, reply) => {
      await logout(request.ctx, request.body?.refreshToken);
      return reply.status(204).send();
    });

    r.get('/api/auth/profile', {
      schema: { tags, summary: 'The signed-in user', response: { 200: userSchema } },
    }, async (request) => getProfile(request.ctx));

    r.patch('/api/auth/profile', {
      schema: { tags, summary: 'Update name, locale, time zone or avatar', body: updateUserProfileBodySchema, response: { 200: userSchema } },
      config: { audit: 'auth.profile.update' },
    }, async (request) => updateProfile(request.ctx, request.body));

    r.post('/api/auth/password', {
      schema: { tags, summary: "Change the password (signs out the user's other sessions)", body: changePasswordBodySchema, response: { 204: noContent } },
      config: { audit: 'auth.password.change' },
    }, async (request, reply) => {
      await changePassword(request.ctx, request.body);
      return reply.status(204).send();
    });

    r.post('/api/auth/password/forgot', {
      schema: { tags, summary: 'Mail a password reset link (always 202)', body: forgotPasswordBodySchema, response: { 202: accepted } },
      config: { ...publicRoute, audit: 'auth.password.forgot' },
      preHandler: limitPerEmail,
    }, async (request, reply) => {
      await requestPasswordReset(request.ctx, request.body.email);
      return reply.status(202).send();
    });

    r.post('/api/auth/password/reset', {
      schema: { tags, summary: 'Set a new password with a reset link (signs out every session)', body: resetPasswordBodySchema, response: { 204: noContent } },
      config: { ...publicRoute, audit: 'auth.password.reset' },
    }, async (request, reply) => {
      await resetPassword(request.ctx, request.body);
      return reply.status(204).send();
    });

    r.post('/api/auth/email/verify', {
      schema: { tags, summary: 'Confirm the email address with the emailed link', body: verifyEmailBodySchema, response: { 200: userSchema } },
      config: { ...publicRoute, audit: 'auth.email.verify' },
    }, async (request) => verifyEmail(request.ctx, request.body.token));

    r.post('/api/auth/email/resend', {
      schema: { tags, summary: 'Send the verification email again', response: { 202: accepted } },
      config: { audit: 'auth.email.resend' },
    }, async (request, reply) => {
      await resendEmailVerification(request.ctx);
      return reply.status(202).send();
    });

    r.post('/api/auth/magic-link', {
      schema: { tags, summary: 'Mail a single-use sign-in link (always 202)', body: magicLinkBodySchema, response: { 202: accepted } },
      config: { ...publicRoute, audit: 'auth.magic_link.request' },
      preHandler: limitPerEmail,
    }, async (request, reply) => {
      await requestMagicLink(request.ctx, request.body.email);
      return reply.status(202).send();
    });

    r.post('/api/auth/magic-link/verify', {
      schema: { tags, summary: 'Sign in with a magic link', body: magicLinkVerifyBodySchema, response: { 200: authSessionSchema } },
      config: { ...publicRoute, audit: 'auth.magic_link.login' },
    }, async (request) => signInWithMagicLink(request.ctx, deps, request.body.token));

    r.get('/api/auth/sessions', {
      schema: { tags, summary: "The user's signed-in devices", response: { 200: sessionListSchema } },
    }, async (request) => listSessions(request.ctx));

    r.delete('/api/auth/sessions/:id', {
      schema: { tags, summary: 'Sign a device out', params: sessionIdParamsSchema, response: { 204: noContent } },
      config: { audit: 'auth.session.revoke' },
    }, async (request, reply) => {
      await revokeSession(request.ctx, request.params.id);
      return reply.status(204).send();
    });

    r.post('/api/auth/sessions/revoke-others', {
      schema: { tags, summary: 'Sign out every other device', response: { 200: revokeOtherSessionsResultSchema } },
      config: { audit: 'auth.session.revoke_others' },
    }, async (request) => revokeOtherSessions(request.ctx));

    r.post('/api/auth/switch', {
      schema: { tags, summary: 'Switch the active tenant/account', body: switchScopeBodySchema, response: { 200: authSessionSchema } },
      config: { audit: 'auth.switch' },
    }, async (request) => switchScope(request.ctx, deps, request.body));

    r.get('/api/auth/api-keys', {
      schema: { tags, summary: 'Your API keys in the active tenant', response: { 200: apiKeyListSchema } },
    }, async (request) => listApiKeys(request.ctx));

    r.post('/api/auth/api-keys', {
      schema: { tags, summary: 'Create an API key (the secret is shown once)', body: createApiKeyBodySchema, response: { 201: createdApiKeySchema } },
      config: { audit: 'auth.api_key.create' },
    }, async (request, reply) => reply.status(201).send(await createApiKey(request.ctx, deps, request.body)));

    r.delete('/api/auth/api-keys/:id', {
      schema: { tags, summary: 'Revoke an API key', params: apiKeyIdParamsSchema, response: { 204: noContent } },
      config: { audit: 'auth.api_key.revoke' },
    }, async (request, reply) => {
      await revokeApiKey(request.ctx, request.params.id);
      return reply.status(204).send();
    });

    r.get('/api/auth/permissions', {
      schema: { tags, summary: 'Scopes an API key may hold', response: { 200: permissionListSchema } },
    }, async (request) => listApiKeyScopes(request.ctx));
  };
}
