import { z } from 'zod';

/**
 * Identity (/api/auth): request bodies and response DTOs, shared by the server (validation + OpenAPI)
 * and the web console (forms). Field messages are written for people: the console shows them as-is.
 */

export const tenantRoleSchema = z.enum(['owner', 'admin', 'member']);
export const accountRoleSchema = z.enum(['admin', 'editor', 'contributor', 'viewer', 'client']);

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** A new password: 10–256 characters (long passphrases welcome; the upper bound keeps hashing cheap). */
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters long.`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`);

/** An existing password as typed at sign-in: no strength rule (older accounts may predate it). */
export const currentPasswordSchema = z
  .string()
  .min(1, 'Enter your password.')
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`);

export const emailSchema = z.string().trim().toLowerCase().max(254, 'Email is too long.').email('Enter a valid email address.');

export const personNameSchema = z.string().trim().min(1, 'Enter a name.').max(120, 'Name must be at most 120 characters.');

const localePattern = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

function isKnownLocale(value: string): boolean {
  if (!localePattern.test(value)) return false;
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

/** A BCP 47 language tag such as "en", "pt-BR" or "zh-Hant-TW". */
export const localeSchema = z
  .string()
  .trim()
  .max(35, 'Locale is too long.')
  .refine(isKnownLocale, 'Use a language tag such as "en", "fr" or "pt-BR".');

let timeZones: Set<string> | undefined;

/** IANA zone names the runtime knows, plus "UTC" (which Intl lists only as an alias). */
export function isKnownTimeZone(value: string): boolean {
  timeZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return timeZones.has(value);
}

export const timeZoneSchema = z
  .string()
  .trim()
  .max(64, 'Time zone is too long.')
  .refine(isKnownTimeZone, 'Use an IANA time zone such as "Europe/Paris" or "UTC".');

const timestampSchema = z.iso.datetime();

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  locale: z.string(),
  timezone: z.string(),
  avatarUrl: z.string().nullable(),
  emailVerified: z.boolean(),
  isSuperAdmin: z.boolean(),
  createdAt: timestampSchema,
});
export type User = z.infer<typeof userSchema>;

/** The tenant (and optionally account) a session acts in, with the user's roles there. */
export const scopeSchema = z.object({
  tenantId: z.uuid(),
  accountId: z.uuid().nullable(),
  tenantRole: tenantRoleSchema.nullable(),
  accountRole: accountRoleSchema.nullable(),
});
export type Scope = z.infer<typeof scopeSchema>;

export const authSessionSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  user: userSchema,
  scope: scopeSchema.nullable(),
});
export type AuthSession = z.infer<typeof authSessionSchema>;

export const loginBodySchema = z.object({ email: emailSchema, password: currentPasswordSchema });
export type LoginBody = z.infer<typeof loginBodySchema>;

const opaqueTokenSchema = z.string().min(16, 'The token is incomplete.').max(512, 'The token is too long.');

export const refreshBodySchema = z.object({ refreshToken: opaqueTokenSchema });
export type RefreshBody = z.infer<typeof refreshBodySchema>;

export const logoutBodySchema = z.object({ refreshToken: opaqueTokenSchema.optional() });
export type LogoutBody = z.infer<typeof logoutBodySchema>;

export const updateUserProfileBodySchema = z
  .object({
    name: personNameSchema.optional(),
    locale: localeSchema.optional(),
    timezone: timeZoneSchema.optional(),
    avatarUrl: z
      .string()
      .trim()
      .max(2048, 'Avatar URL is too long.')
      .url('Avatar must be a URL.')
      .refine((value) => /^https?:\/\//i.test(value), 'Avatar URL must start with http:// or https://.')
      .nullable()
      .optional(),
  })
  .strict();
export type UpdateUserProfileBody = z.infer<typeof updateUserProfileBodySchema>;

export const changePasswordBodySchema = z.object({ currentPassword: currentPasswordSchema, newPassword: passwordSchema });
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export const forgotPasswordBodySchema = z.object({ email: emailSchema });
export type ForgotPasswordBody = z.infer<typeof forgotPasswordBodySchema>;

export const resetPasswordBodySchema = z.object({ token: opaqueTokenSchema, newPassword: passwordSchema });
export type ResetPasswordBody = z.infer<typeof resetPasswordBodySchema>;

export const verifyEmailBodySchema = z.object({ token: opaqueTokenSchema });
export type VerifyEmailBody = z.infer<typeof verifyEmailBodySchema>;

export const magicLinkBodySchema = z.object({ email: emailSchema });
export type MagicLinkBody = z.infer<typeof magicLinkBodySchema>;

export const magicLinkVerifyBodySchema = z.object({ token: opaqueTokenSchema });
export type MagicLinkVerifyBody = z.infer<typeof magicLinkVerifyBodySchema>;

/** One signed-in device. */
export const sessionSchema = z.object({
  id: z.uuid(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: timestampSchema,
  lastUsedAt: timestampSchema,
  /** true for the session the request was made with. */
  current: z.boolean(),
});
export type Session = z.infer<typeof sessionSchema>;

export const sessionListSchema = z.object({ items: z.array(sessionSchema) });
export type SessionList = z.infer<typeof sessionListSchema>;

export const sessionIdParamsSchema = z.object({ id: z.uuid('Session id must be a UUID.') });

export const revokeOtherSessionsResultSchema = z.object({ revoked: z.number().int() });
export type RevokeOtherSessionsResult = z.infer<typeof revokeOtherSessionsResultSchema>;

export const switchScopeBodySchema = z.object({
  tenantId: z.uuid('Tenant id must be a UUID.'),
  accountId: z.uuid('Account id must be a UUID.').nullable().optional(),
});
export type SwitchScopeBody = z.infer<typeof switchScopeBodySchema>;

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  /** The public part of the key ("omni_<prefix>_…"), to recognise it in lists and logs. */
  prefix: z.string(),
  scopes: z.array(z.string()),
  accountId: z.uuid().nullable(),
  lastUsedAt: timestampSchema.nullable(),
  expiresAt: timestampSchema.nullable(),
  revokedAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const apiKeyListSchema = z.object({ items: z.array(apiKeySchema) });
export type ApiKeyList = z.infer<typeof apiKeyListSchema>;

export const createApiKeyBodySchema = z.object({
  name: z.string().trim().min(1, 'Name the key.').max(100, 'Name must be at most 100 characters.'),
  scopes: z
    .array(z.string().min(1).max(100))
    .min(1, 'Choose at least one scope.')
    .max(200, 'Too many scopes.'),
  expiresAt: z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z.' }).nullable().optional(),
  accountId: z.uuid('Account id must be a UUID.').nullable().optional(),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

export const createdApiKeySchema = z.object({
  apiKey: apiKeySchema,
  /** The full key. Shown once: only its hash is stored. */
  secret: z.string(),
});
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyIdParamsSchema = z.object({ id: z.uuid('API key id must be a UUID.') });

export const permissionListSchema = z.object({ items: z.array(z.string()) });
export type PermissionList = z.infer<typeof permissionListSchema>;
