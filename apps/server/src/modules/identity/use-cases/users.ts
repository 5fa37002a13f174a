import { emailSchema, localeSchema, personNameSchema, timeZoneSchema, type UpdateUserProfileBody, type User } from '@omni/contracts/identity';
import type { ZodType } from 'zod';
import { requireActor } from '../../../kernel/access.js';
import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess, withSystemAccessRead } from '../../../kernel/db/tenancy.js';
import { badRequest, conflict, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { assertPasswordRules, hashPassword, isSupportedPasswordHash } from '../identity.passwords.js';
import { insertUser, selectUserByEmail, selectUserById, updateUserProfile } from '../identity.queries.js';
import type { UserRecord } from '../identity.types.js';

export type CreateUserInput = {
  email: string;
  name: string;
  /** null: the user signs in by magic link (or sets a password through a reset) until they choose one. */
  password: string | null;
  emailVerified?: boolean;
  locale?: string;
  timezone?: string;
  isSuperAdmin?: boolean;
  /** An existing hash to import as-is (argon2id, or bcrypt upgraded at the next sign-in); overrides password. */
  passwordHash?: string;
};

function parseField<T>(schema: ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? 'is invalid';
    throw badRequest('request.invalid', `${field}: ${message}`, [{ path: field, message }]);
  }
  return result.data;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Create a user in the caller's transaction: fields validated like the API would, password hashed with
 * argon2id (or an imported hash kept as-is). 409 user.email_taken when the email is registered already.
 */
export async function createUser(tx: Tx, input: CreateUserInput): Promise<UserRecord> {
  const email = parseField(emailSchema, input.email, 'email');
  const name = parseField(personNameSchema, input.name, 'name');
  const locale = input.locale === undefined ? 'en' : parseField(localeSchema, input.locale, 'locale');
  const timezone = input.timezone === undefined ? 'UTC' : parseField(timeZoneSchema, input.timezone, 'timezone');
  let passwordHash: string | null = null;
  if (input.passwordHash !== undefined) {
    if (!isSupportedPasswordHash(input.passwordHash)) {
      throw badRequest('auth.password_hash_unsupported', 'Only argon2id and bcrypt ($2a$, $2b$, $2y$) password hashes can be imported.');
    }
    passwordHash = input.passwordHash;
  } else if (input.password !== null) {
    assertPasswordRules(input.password);
    passwordHash = await hashPassword(input.password);
  }
  const user = await insertUser(tx, {
    email,
    name,
    passwordHash,
    emailVerifiedAt: input.emailVerified ? new Date() : null,
    locale: Intl.getCanonicalLocales(locale)[0] ?? locale,
    timezone,
    isSuperAdmin: input.isSuperAdmin ?? false,
  });
  if (!user) throw conflict('user.email_taken', 'An account with this email already exists. Sign in instead.');
  return user;
}

/** A user by email (case-insensitive), or null. */
export async function findUserByEmail(tx: Tx, email: string): Promise<UserRecord | null> {
  return selectUserByEmail(tx, normalizeEmail(email));
}

/** A user by id, or 404 user.not_found. */
export async function getUser(tx: Tx, id: string): Promise<UserRecord> {
  const user = await selectUserById(tx, id);
  if (!user) throw notFound('User');
  return user;
}

/** The public User DTO: no password hash, no lockout state. */
export function toUserDto(user: UserRecord): User {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    locale: user.locale,
    timezone: user.timezone,
    avatarUrl: user.avatarUrl,
    emailVerified: user.emailVerifiedAt !== null,
    isSuperAdmin: user.isSuperAdmin,
    createdAt: user.createdAt.toISOString(),
  };
}

export async function getProfile(ctx: ServiceContext): Promise<User> {
  const actor = requireActor(ctx);
  const user = await withSystemAccessRead(ctx, 'auth:profile', (tx) => getUser(tx, actor.userId));
  return toUserDto(user);
}

export async function updateProfile(ctx: ServiceContext, input: UpdateUserProfileBody): Promise<User> {
  const actor = requireActor(ctx);
  const patch = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.locale !== undefined ? { locale: Intl.getCanonicalLocales(input.locale)[0] ?? input.locale } : {}),
    ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
    ...(input.avatarUrl !== undefined ? { avatarUrl: input.avatarUrl } : {}),
  };
  const user = await withSystemAccess(ctx, 'auth:profile', async (tx) =>
    Object.keys(patch).length === 0 ? getUser(tx, actor.userId) : updateUserProfile(tx, actor.userId, patch),
  );
  if (!user) throw notFound('User');
  ctx.audit.targetType = 'user';
  ctx.audit.targetId = user.id;
  ctx.audit.metadata = { fields: Object.keys(patch) };
  return toUserDto(user);
}
