import type { OmniModule } from '../../kernel/module.js';
import { createAuthenticator } from './identity.authenticate.js';
import './identity.permissions.js';
import { createIdentityRoutes } from './identity.routes.js';
import type { IdentityDependencies, MembershipDirectory } from './identity.types.js';

export type { MembershipDirectory, ResolvedScope, UserRecord } from './identity.types.js';
export type { CreateUserInput } from './identity.service.js';

/**
 * The identity module: users, sessions (refresh-token families), email links, API keys, and the
 * authenticator that turns a Bearer access token or an API key into ctx.actor and the active scope.
 * `memberships` comes from tenancy (identity cannot import it).
 */
export function identityModule(deps: { memberships: MembershipDirectory }): OmniModule {
  const dependencies: IdentityDependencies = { memberships: deps.memberships };
  return {
    name: 'identity',
    routes: createIdentityRoutes(dependencies),
    authenticate: createAuthenticator(dependencies),
  };
}

export {
  /** Create a user in the caller's transaction (argon2id hash; 409 user.email_taken when the email exists). */
  createUser,
  /** A user by email (case-insensitive), or null. */
  findUserByEmail,
  /** A user by id, or 404 user.not_found. */
  getUser,
  /** The public User DTO (no hash, no lockout state). */
  toUserDto,
  /**
   * Sign the user in on this device: a new session and token pair in `scope`. Pass `tx` to create the
   * session inside the caller's transaction (required when the user row is not committed yet).
   */
  startSession,
  /** Create a verify-email token and queue the email, in the caller's transaction. */
  queueEmailVerification,
  /**
   * Call when a user's memberships or roles change (in the same transaction): their access tokens issued
   * before are refused with 401 auth.token_stale and clients refresh to get the new claims.
   */
  markUserSessionsStale,
  /** Revoke every session of a user (all their devices are signed out); returns how many were live. */
  revokeUserSessions,
} from './identity.service.js';
