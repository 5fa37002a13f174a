/**
 * Identity's use cases, one file each under use-cases/ (plain functions: (ctx, input) => result).
 * Routes and index.ts import them from here.
 */
export { createApiKey, listApiKeys, listApiKeyScopes, revokeApiKey, toApiKeyDto } from './use-cases/api-keys.js';
export { queueEmailVerification, requestMagicLink, resendEmailVerification, signInWithMagicLink, verifyEmail } from './use-cases/email-links.js';
export { login, verifyPasswordWithLockout } from './use-cases/login.js';
export { changePassword, requestPasswordReset, resetPassword } from './use-cases/passwords.js';
export { refreshSession, resolveSessionScope } from './use-cases/refresh-session.js';
export {
  buildAuthSession,
  listSessions,
  logout,
  markUserSessionsStale,
  requireSessionActor,
  revokeOtherSessions,
  revokeSession,
  revokeUserSessions,
  startSession,
} from './use-cases/sessions.js';
export { switchScope } from './use-cases/switch-scope.js';
export { createUser, findUserByEmail, getProfile, getUser, toUserDto, updateProfile, type CreateUserInput } from './use-cases/users.js';
