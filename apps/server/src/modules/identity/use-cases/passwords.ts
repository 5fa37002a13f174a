import type { ChangePasswordBody, ResetPasswordBody } from '@omni/contracts/identity';
import { withSystemAccess, withSystemAccessRead } from '../../../kernel/db/tenancy.js';
import { badRequest, isAppError } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { sendPasswordResetMail } from '../identity.mail.js';
import { hashPassword } from '../identity.passwords.js';
import { clearUserLockout, revokeSessions, selectUserByEmail, setUserEmailVerified, updateUserPasswordHash } from '../identity.queries.js';
import { noteSessionsRevoked } from '../identity.revocations.js';
import { verifyPasswordWithLockout } from './login.js';
import { createOneTimeToken, redeemOneTimeToken } from './one-time-tokens.js';
import { requireSessionActor } from './sessions.js';
import { getUser, normalizeEmail } from './users.js';

/**
 * Change the password of the signed-in user. The current password is checked with the same lockout as
 * sign-in (a stolen access token must not allow guessing it); the user's other sessions are revoked.
 */
export async function changePassword(ctx: ServiceContext, input: ChangePasswordBody): Promise<void> {
  const actor = requireSessionActor(ctx);
  const user = await withSystemAccessRead(ctx, 'auth:password', (tx) => getUser(tx, actor.userId));
  if (!user.passwordHash) {
    throw badRequest('auth.password_not_set', 'Your account has no password yet. Use "forgot password" to set one.');
  }
  try {
    await verifyPasswordWithLockout(ctx, user.email, input.currentPassword);
  } catch (error) {
    if (isAppError(error) && error.code === 'auth.invalid_credentials') {
      const message = 'The current password is incorrect.';
      throw badRequest('auth.invalid_current_password', message, [{ path: 'currentPassword', message }]);
    }
    throw error;
  }
  const passwordHash = await hashPassword(input.newPassword);
  const revoked = await withSystemAccess(ctx, 'auth:password', async (tx) => {
    await updateUserPasswordHash(tx, user.id, passwordHash);
    return revokeSessions(tx, { userId: user.id, exceptSessionId: actor.sessionId }, 'password_changed');
  });
  noteSessionsRevoked(revoked);
  ctx.audit.targetType = 'user';
  ctx.audit.targetId = user.id;
  ctx.audit.metadata = { revokedSessions: revoked.length };
}

/** Mail a single-use reset link if the email has an account. The caller answers 202 either way. */
export async function requestPasswordReset(ctx: ServiceContext, email: string): Promise<void> {
  await withSystemAccess(ctx, 'auth:password-forgot', async (tx) => {
    const user = await selectUserByEmail(tx, normalizeEmail(email));
    if (!user) return;
    const token = await createOneTimeToken(tx, user.id, 'reset_password');
    await sendPasswordResetMail(tx, ctx.config, user, token);
  });
}

/**
 * Set a new password with a reset link: every session is revoked (whoever knew the old password is
 * signed out) and the lockout cleared. Following the emailed link also proves the address.
 */
export async function resetPassword(ctx: ServiceContext, input: ResetPasswordBody): Promise<void> {
  const passwordHash = await hashPassword(input.newPassword);
  const result = await withSystemAccess(ctx, 'auth:password-reset', async (tx) => {
    const userId = await redeemOneTimeToken(tx, input.token, 'reset_password');
    await updateUserPasswordHash(tx, userId, passwordHash);
    await clearUserLockout(tx, userId);
    await setUserEmailVerified(tx, userId);
    const revoked = await revokeSessions(tx, { userId }, 'password_reset');
    return { userId, revoked };
  });
  noteSessionsRevoked(result.revoked);
  ctx.audit.targetType = 'user';
  ctx.audit.targetId = result.userId;
  ctx.audit.metadata = { revokedSessions: result.revoked.length };
}
