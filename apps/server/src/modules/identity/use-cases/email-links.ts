import type { AuthSession, User } from '@omni/contracts/identity';
import { requireActor } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess } from '../../../kernel/db/tenancy.js';
import { notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { sendMagicLinkMail, sendVerificationMail } from '../identity.mail.js';
import { selectUserByEmail, setUserEmailVerified } from '../identity.queries.js';
import type { IdentityDependencies, UserRecord } from '../identity.types.js';
import { createOneTimeToken, redeemOneTimeToken } from './one-time-tokens.js';
import { startSession } from './sessions.js';
import { getUser, normalizeEmail, toUserDto } from './users.js';

/** Mail the user a link (valid 48 h) confirming their address, in the caller's transaction. */
export async function queueEmailVerification(tx: Tx, ctx: ServiceContext, user: UserRecord): Promise<void> {
  const token = await createOneTimeToken(tx, user.id, 'verify_email');
  await sendVerificationMail(tx, ctx.config, user, token);
}

export async function verifyEmail(ctx: ServiceContext, token: string): Promise<User> {
  const user = await withSystemAccess(ctx, 'auth:verify-email', async (tx) => {
    const userId = await redeemOneTimeToken(tx, token, 'verify_email');
    const verified = await setUserEmailVerified(tx, userId);
    if (!verified) throw notFound('User');
    return verified;
  });
  ctx.audit.targetType = 'user';
  ctx.audit.targetId = user.id;
  return toUserDto(user);
}

/** Send the verification link again to the signed-in user, unless their address is already confirmed. */
export async function resendEmailVerification(ctx: ServiceContext): Promise<void> {
  const actor = requireActor(ctx);
  await withSystemAccess(ctx, 'auth:verify-email', async (tx) => {
    const user = await getUser(tx, actor.userId);
    if (!user.emailVerifiedAt) await queueEmailVerification(tx, ctx, user);
  });
}

/** Mail a single-use sign-in link (15 min) if the email has an account. The caller answers 202 either way. */
export async function requestMagicLink(ctx: ServiceContext, email: string): Promise<void> {
  await withSystemAccess(ctx, 'auth:magic-link', async (tx) => {
    const user = await selectUserByEmail(tx, normalizeEmail(email));
    if (!user) return;
    const token = await createOneTimeToken(tx, user.id, 'magic_link');
    await sendMagicLinkMail(tx, ctx.config, user, token);
  });
}

/** Sign in with a magic link; following it also proves the email address. */
export async function signInWithMagicLink(ctx: ServiceContext, deps: IdentityDependencies, token: string): Promise<AuthSession> {
  const user = await withSystemAccess(ctx, 'auth:magic-link', async (tx) => {
    const userId = await redeemOneTimeToken(tx, token, 'magic_link');
    const verified = await setUserEmailVerified(tx, userId);
    return verified ?? getUser(tx, userId);
  });
  const scope = await deps.memberships.resolveScope(ctx, user.id, null);
  const session = await startSession(ctx, user, scope);
  ctx.audit.targetType = 'user';
  ctx.audit.targetId = user.id;
  return session;
}
