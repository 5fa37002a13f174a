import type { AuthSession, LoginBody } from '@omni/contracts/identity';
import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess, withSystemAccessRead } from '../../../kernel/db/tenancy.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { accountLockedError, assertGateOpen, backoffSecondsAfter, evaluateLoginGate, invalidCredentialsError, UnknownEmailFailures } from '../identity.lockout.js';
import { sendAccountLockedMail } from '../identity.mail.js';
import { burnPasswordCheck, checkPassword, hashPassword } from '../identity.passwords.js';
import { recordLoginFailure, recordLoginSuccess, selectUserByEmail, updateUserPasswordHash } from '../identity.queries.js';
import type { IdentityDependencies, UserRecord } from '../identity.types.js';
import { startSession } from './sessions.js';
import { normalizeEmail } from './users.js';

const unknownEmailFailures = new UnknownEmailFailures();

/**
 * Check a password against an account, with lockout. Throws the same errors whether or not the email
 * has an account: 401 auth.invalid_credentials, 429 auth.too_many_attempts, 423 auth.account_locked.
 * Returns the user (with a hash upgraded to argon2id when it was a legacy one).
 */
export async function verifyPasswordWithLockout(ctx: ServiceContext, email: string, password: string): Promise<UserRecord> {
  const config = ctx.config;
  const normalized = normalizeEmail(email);
  const user = await withSystemAccessRead(ctx, 'auth:login', (tx) => selectUserByEmail(tx, normalized));
  const nowMs = Date.now();

  if (!user) {
    assertGateOpen(evaluateLoginGate(unknownEmailFailures.get(normalized, nowMs, config), config, nowMs));
    await burnPasswordCheck(password);
    const state = unknownEmailFailures.recordFailure(normalized, Date.now(), config);
    if (state.failedCount >= config.LOCKOUT_THRESHOLD && state.lockedUntilMs !== null) {
      throw accountLockedError(Math.ceil((state.lockedUntilMs - Date.now()) / 1000));
    }
    throw invalidCredentialsError(backoffSecondsAfter(state.failedCount, config.LOCKOUT_THRESHOLD));
  }

  assertGateOpen(
    evaluateLoginGate(
      { failedCount: user.failedLoginCount, lastFailedAtMs: user.lastFailedLoginAt?.getTime() ?? null, lockedUntilMs: user.lockedUntil?.getTime() ?? null },
      config,
      nowMs,
    ),
  );

  const check = user.passwordHash ? await checkPassword(user.passwordHash, password) : (await burnPasswordCheck(password), { isValid: false, needsRehash: false });
  if (!check.isValid) {
    const failure = await withSystemAccess(ctx, 'auth:login', async (tx: Tx) => {
      const result = await recordLoginFailure(tx, user.id, { threshold: config.LOCKOUT_THRESHOLD, lockMinutes: config.LOCKOUT_MINUTES });
      if (result?.isNowLocked) await sendAccountLockedMail(tx, config, user);
      return result;
    });
    if (failure?.isNowLocked && failure.lockedUntil) {
      ctx.logger.warn({ userId: user.id }, 'account locked after repeated failed sign-ins');
      throw accountLockedError(Math.max(1, Math.ceil((failure.lockedUntil.getTime() - Date.now()) / 1000)));
    }
    throw invalidCredentialsError(backoffSecondsAfter(failure?.failedLoginCount ?? 0, config.LOCKOUT_THRESHOLD));
  }

  const upgradedHash = check.needsRehash ? await hashPassword(password) : null;
  await withSystemAccess(ctx, 'auth:login', async (tx) => {
    if (upgradedHash) await updateUserPasswordHash(tx, user.id, upgradedHash);
    await recordLoginSuccess(tx, user.id);
  });
  return upgradedHash ? { ...user, passwordHash: upgradedHash } : user;
}

export async function login(ctx: ServiceContext, deps: IdentityDependencies, input: LoginBody): Promise<AuthSession> {
  const user = await verifyPasswordWithLockout(ctx, input.email, input.password);
  const scope = await deps.memberships.resolveScope(ctx, user.id, null);
  const session = await startSession(ctx, user, scope);
  ctx.audit.targetType = 'user';
  ctx.audit.targetId = user.id;
  return session;
}
