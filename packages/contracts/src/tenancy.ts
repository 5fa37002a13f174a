import { z } from 'zod';
import { accountRoleSchema, authSessionSchema, emailSchema, passwordSchema, personNameSchema, tenantRoleSchema } from './identity.js';

/**
 * Tenancy: tenants, accounts, memberships, invitations, profiles, branding, domains and the platform's
 * tenant administration. Shared by the server (validation + OpenAPI) and the web console (forms).
 */

const timestampSchema = z.iso.datetime();

export const industrySchema = z.enum(['marketing_agency', 'ecommerce', 'talent', 'other']);
export type Industry = z.infer<typeof industrySchema>;

export const tenantStatusSchema = z.enum(['active', 'suspended']);
export type TenantStatus = z.infer<typeof tenantStatusSchema>;

export const accountStatusSchema = z.enum(['active', 'archived']);
export type AccountStatus = z.infer<typeof accountStatusSchema>;

/** Any role a membership or invitation can carry: tenant roles (no account) and account roles. */
export const memberRoleSchema = z.enum(['owner', 'admin', 'member', 'editor', 'contributor', 'viewer', 'client']);
export type MemberRole = z.infer<typeof memberRoleSchema>;

/**
 * Slugs that would collide with the platform's own host names (`<slug>.<root domain>`) or routes.
 * Registration refuses them; derived slugs step around them.
 */
export const reservedTenantSlugs: readonly string[] = [
  'www', 'api', 'admin', 'app', 'apps', 'docs', 'doc', 'mail', 'email', 'smtp', 'imap', 'pop', 'ftp', 't', 'static',
  'assets', 'cdn', 'media', 'files', 'status', 'help', 'support', 'blog', 'dashboard', 'console', 'platform', 'omni',
  'auth', 'login', 'signup', 'register', 'account', 'accounts', 'billing', 'dev', 'test', 'staging', 'root', 'system',
  'localhost', 'ns1', 'ns2', 'mx', 'webmail', 'public', 'internal',
];

const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const slugMessage = 'Use lower-case letters, digits and single hyphens (not at the start or end).';

/** A URL-safe identifier (1–63 characters), unique in its scope. */
export const slugSchema = z.string().trim().toLowerCase().min(1, 'Enter a slug.').max(63, 'Slug must be at most 63 characters.').regex(slugPattern, slugMessage);

/** A tenant's slug is also its sub-domain: at least 3 characters and not reserved. */
export const tenantSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'The address must be at least 3 characters long.')
  .max(63, 'The address must be at most 63 characters long.')
  .regex(slugPattern, slugMessage)
  .refine((value) => !reservedTenantSlugs.includes(value), 'This address is reserved; choose another.');

export const tenantNameSchema = z.string().trim().min(2, 'Name must be at least 2 characters long.').max(120, 'Name must be at most 120 characters.');

// ---------- Branding ----------

const hexColorSchema = z
  .string()
  .trim()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'Use a hex colour such as #1a73e8 or #fff.');

const fontFamily = `(?:[A-Za-z][A-Za-z0-9 \\-]{0,60}|"[A-Za-z0-9 \\-]{1,60}"|'[A-Za-z0-9 \\-]{1,60}')`;
const fontStackPattern = new RegExp(`^${fontFamily}(?:\\s*,\\s*${fontFamily}){0,9}$`);

/** A CSS font stack made of plain family names ("Inter, system-ui, sans-serif"): nothing that could escape a declaration. */
export const fontStackSchema = z
  .string()
  .trim()
  .min(1, 'Enter a font family.')
  .max(300, 'Font list is too long.')
  .regex(fontStackPattern, 'Use font family names (letters, digits, spaces, hyphens) separated by commas, e.g. Inter, sans-serif.');

/** An https URL or a path on this site ("/logo.svg"); never another scheme or a protocol-relative URL. */
export function isSafeLogoUrl(value: string): boolean {
  if (/^\/(?![/\\])[^\s"'()<>\\]*$/.test(value)) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !/[\s"'()<>\\]/.test(value);
  } catch {
    return false;
  }
}

export const CUSTOM_CSS_MAX_BYTES = 20 * 1024;

export const brandingColorsSchema = z.object({
  primary: hexColorSchema,
  secondary: hexColorSchema,
  accent: hexColorSchema,
  background: hexColorSchema,
  foreground: hexColorSchema,
});

export const brandingFontsSchema = z.object({ heading: fontStackSchema, body: fontStackSchema });

export const brandingSchema = z.object({
  logoUrl: z.string().nullable(),
  colors: brandingColorsSchema,
  fonts: brandingFontsSchema,
  customCss: z.string().nullable(),
});
export type Branding = z.infer<typeof brandingSchema>;

export const defaultBranding: Branding = {
  logoUrl: null,
  colors: { primary: '#4f46e5', secondary: '#0ea5e9', accent: '#f59e0b', background: '#ffffff', foreground: '#111827' },
  fonts: { heading: 'Inter, system-ui, sans-serif', body: 'Inter, system-ui, sans-serif' },
  customCss: null,
};

/**
 * The whole branding (PUT replaces it). Colours and fonts left out take the defaults. The custom CSS is
 * additionally parsed on the server, which refuses @import, foreign url()s, expression(), javascript:,
 * behavior, -moz-binding, backslash escapes and anything that does not parse.
 */
export const updateBrandingBodySchema = z
  .object({
    logoUrl: z
      .string()
      .trim()
      .max(2048, 'Logo URL is too long.')
      .refine(isSafeLogoUrl, 'Logo must be an https:// URL or a path starting with /.')
      .nullable()
      .optional(),
    colors: brandingColorsSchema.partial().optional(),
    fonts: brandingFontsSchema.partial().optional(),
    customCss: z
      .string()
      .refine((value) => new TextEncoder().encode(value).length <= CUSTOM_CSS_MAX_BYTES, 'Custom CSS must be at most 20 KB.')
      .nullable()
      .optional(),
  })
  .strict();
export type UpdateBrandingBody = z.infer<typeof updateBrandingBodySchema>;

// ---------- Tenants ----------

export const tenantSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  industry: industrySchema,
  status: tenantStatusSchema,
  plan: z.string(),
  branding: brandingSchema,
  suspendedAt: timestampSchema.nullable(),
  suspendedReason: z.string().nullable(),
  createdAt: timestampSchema,
});
export type Tenant = z.infer<typeof tenantSchema>;

export const updateTenantBodySchema = z.object({ name: tenantNameSchema.optional(), industry: industrySchema.optional() }).strict();
export type UpdateTenantBody = z.infer<typeof updateTenantBodySchema>;

export const tenantOverviewSchema = z.object({
  accounts: z.number().int(),
  members: z.number().int(),
  pendingInvitations: z.number().int(),
  auditEvents7d: z.number().int(),
  profiles: z.number().int(),
  customDomains: z.number().int(),
});
export type TenantOverview = z.infer<typeof tenantOverviewSchema>;

export const publicTenantSchema = z.object({ name: z.string(), slug: z.string(), branding: brandingSchema });
export type PublicTenant = z.infer<typeof publicTenantSchema>;

export const tenantSlugParamsSchema = z.object({ slug: z.string().min(1).max(63) });

// ---------- Registration ----------

export const registerBodySchema = z.object({
  name: personNameSchema,
  email: emailSchema,
  password: passwordSchema,
  tenantName: tenantNameSchema,
  tenantSlug: tenantSlugSchema.optional(),
  industry: industrySchema.optional(),
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const registerResultSchema = authSessionSchema.extend({ tenant: tenantSchema });
export type RegisterResult = z.infer<typeof registerResultSchema>;

// ---------- Lists ----------

/** ?limit= (1–100, default 25) and ?cursor= (opaque, from the previous page's nextCursor). */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int('Limit must be a whole number.').min(1, 'Limit must be at least 1.').max(100, 'Limit must be at most 100.').default(25),
  cursor: z.string().min(1).max(500).optional(),
});

export const idParamsSchema = z.object({ id: z.uuid('Id must be a UUID.') });

// ---------- Memberships (the switcher) ----------

export const myMembershipsSchema = z.object({
  items: z.array(
    z.object({
      tenant: z.object({ id: z.uuid(), name: z.string(), slug: z.string(), status: tenantStatusSchema }),
      /** The tenant-level role; null when the user belongs to some accounts only. */
      role: tenantRoleSchema.nullable(),
      /** Accounts the user can enter; the role is their own, or "admin" inherited from a tenant owner/admin role. */
      accounts: z.array(z.object({ id: z.uuid(), name: z.string(), slug: z.string(), role: accountRoleSchema })),
    }),
  ),
});
export type MyMemberships = z.infer<typeof myMembershipsSchema>;

// ---------- Accounts ----------

export const accountSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  status: accountStatusSchema,
  createdAt: timestampSchema,
});
export type Account = z.infer<typeof accountSchema>;

export const accountListSchema = z.object({ items: z.array(accountSchema), nextCursor: z.string().nullable() });
export type AccountList = z.infer<typeof accountListSchema>;

export const accountListQuerySchema = listQuerySchema.extend({
  status: z.enum(['active', 'archived', 'all']).default('active'),
});

const accountNameSchema = z.string().trim().min(1, 'Enter a name.').max(120, 'Name must be at most 120 characters.');

export const createAccountBodySchema = z.object({ name: accountNameSchema, slug: slugSchema.optional() }).strict();
export type CreateAccountBody = z.infer<typeof createAccountBodySchema>;

export const updateAccountBodySchema = z
  .object({ name: accountNameSchema.optional(), slug: slugSchema.optional(), status: accountStatusSchema.optional() })
  .strict();
export type UpdateAccountBody = z.infer<typeof updateAccountBodySchema>;

// ---------- Members ----------

export const memberSchema = z.object({
  id: z.uuid(),
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
  role: memberRoleSchema,
  accountId: z.uuid().nullable(),
  accountName: z.string().nullable(),
  createdAt: timestampSchema,
});
export type Member = z.infer<typeof memberSchema>;

export const memberListSchema = z.object({ items: z.array(memberSchema), nextCursor: z.string().nullable() });
export type MemberList = z.infer<typeof memberListSchema>;

export const memberListQuerySchema = listQuerySchema.extend({
  accountId: z.uuid('Account id must be a UUID.').optional(),
});

export const updateMemberBodySchema = z.object({ role: memberRoleSchema }).strict();
export type UpdateMemberBody = z.infer<typeof updateMemberBodySchema>;

// ---------- Invitations ----------

export const invitationStatusSchema = z.enum(['pending', 'accepted', 'revoked', 'expired']);
export type InvitationStatus = z.infer<typeof invitationStatusSchema>;

export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: memberRoleSchema,
  accountId: z.uuid().nullable(),
  accountName: z.string().nullable(),
  status: invitationStatusSchema,
  expiresAt: timestampSchema,
  createdAt: timestampSchema,
  invitedBy: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
export type Invitation = z.infer<typeof invitationSchema>;

export const invitationListSchema = z.object({ items: z.array(invitationSchema), nextCursor: z.string().nullable() });
export type InvitationList = z.infer<typeof invitationListSchema>;

export const invitationListQuerySchema = listQuerySchema.extend({
  status: invitationStatusSchema.optional(),
  accountId: z.uuid('Account id must be a UUID.').optional(),
});

/** A tenant role (owner, admin, member) without accountId, or an account role with accountId. */
export const createInvitationBodySchema = z
  .object({
    email: emailSchema,
    role: memberRoleSchema,
    accountId: z.uuid('Account id must be a UUID.').nullable().optional(),
  })
  .strict();
export type CreateInvitationBody = z.infer<typeof createInvitationBodySchema>;

const invitationTokenSchema = z.string().min(16, 'The invitation link is incomplete.').max(512, 'The invitation link is too long.');

export const invitationLookupQuerySchema = z.object({ token: invitationTokenSchema });

export const invitationLookupSchema = z.object({
  tenantName: z.string(),
  accountName: z.string().nullable(),
  role: memberRoleSchema,
  email: z.string(),
  expiresAt: timestampSchema,
  /** true: sign in as this email to accept; false: accepting creates the user (name + password). */
  existingUser: z.boolean(),
});
export type InvitationLookup = z.infer<typeof invitationLookupSchema>;

export const acceptInvitationBodySchema = z
  .object({ token: invitationTokenSchema, name: personNameSchema.optional(), password: passwordSchema.optional() })
  .strict();
export type AcceptInvitationBody = z.infer<typeof acceptInvitationBodySchema>;

// ---------- Profiles ----------

export const profileVisibilitySchema = z.enum(['public', 'tenant', 'private']);
export type ProfileVisibility = z.infer<typeof profileVisibilitySchema>;

export const profileSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  accountId: z.uuid(),
  displayName: z.string(),
  slug: z.string(),
  headline: z.string().nullable(),
  bio: z.string().nullable(),
  visibility: profileVisibilitySchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Profile = z.infer<typeof profileSchema>;

export const profileListSchema = z.object({ items: z.array(profileSchema), nextCursor: z.string().nullable() });
export type ProfileList = z.infer<typeof profileListSchema>;

export const profileListQuerySchema = listQuerySchema.extend({ userId: z.uuid('User id must be a UUID.').optional() });

const displayNameSchema = z.string().trim().min(1, 'Enter a display name.').max(120, 'Display name must be at most 120 characters.');
const headlineSchema = z.string().trim().max(200, 'Headline must be at most 200 characters.').nullable();
const bioSchema = z.string().trim().max(5000, 'Bio must be at most 5000 characters.').nullable();

export const createProfileBodySchema = z
  .object({
    displayName: displayNameSchema,
    slug: slugSchema.optional(),
    headline: headlineSchema.optional(),
    bio: bioSchema.optional(),
    visibility: profileVisibilitySchema.optional(),
  })
  .strict();
export type CreateProfileBody = z.infer<typeof createProfileBodySchema>;

export const updateProfileBodySchema = z
  .object({
    displayName: displayNameSchema.optional(),
    slug: slugSchema.optional(),
    headline: headlineSchema.optional(),
    bio: bioSchema.optional(),
    visibility: profileVisibilitySchema.optional(),
  })
  .strict();
export type UpdateProfileBody = z.infer<typeof updateProfileBodySchema>;

// ---------- Domains ----------

/** A fully qualified host name: 2+ labels of letters, digits and inner hyphens, alphabetic top-level label. */
export const hostnameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) => value.replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .max(253, 'Domain is too long.')
      .regex(
        /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
        'Enter a domain name such as www.example.com (no scheme, path or port).',
      ),
  );

export const domainSchema = z.object({
  id: z.uuid(),
  domain: z.string(),
  kind: z.enum(['subdomain', 'custom']),
  verified: z.boolean(),
  verifiedAt: timestampSchema.nullable(),
  /** The DNS record that proves ownership: TXT `_omni.<domain>` = `omni-verify=<token>`. */
  verificationRecord: z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() }),
  createdAt: timestampSchema,
});
export type Domain = z.infer<typeof domainSchema>;

export const domainListSchema = z.object({ items: z.array(domainSchema), nextCursor: z.string().nullable() });
export type DomainList = z.infer<typeof domainListSchema>;

export const createDomainBodySchema = z.object({ domain: hostnameSchema }).strict();
export type CreateDomainBody = z.infer<typeof createDomainBodySchema>;

// ---------- Platform (super admins) ----------

export const platformTenantSchema = tenantSchema.omit({ branding: true }).extend({
  memberCount: z.number().int(),
  accountCount: z.number().int(),
});
export type PlatformTenant = z.infer<typeof platformTenantSchema>;

export const platformTenantListSchema = z.object({ items: z.array(platformTenantSchema), nextCursor: z.string().nullable() });
export type PlatformTenantList = z.infer<typeof platformTenantListSchema>;

export const platformTenantListQuerySchema = listQuerySchema.extend({
  q: z.string().trim().max(120, 'Search text is too long.').optional(),
  status: tenantStatusSchema.optional(),
});

export const createPlatformTenantBodySchema = z
  .object({ name: tenantNameSchema, slug: tenantSlugSchema, industry: industrySchema.default('marketing_agency'), ownerEmail: emailSchema })
  .strict();
export type CreatePlatformTenantBody = z.infer<typeof createPlatformTenantBodySchema>;

export const createdPlatformTenantSchema = z.object({ tenant: tenantSchema, invitation: invitationSchema });
export type CreatedPlatformTenant = z.infer<typeof createdPlatformTenantSchema>;

export const suspendTenantBodySchema = z
  .object({ reason: z.string().trim().min(3, 'Give a reason (at least 3 characters).').max(500, 'Reason must be at most 500 characters.') })
  .strict();
export type SuspendTenantBody = z.infer<typeof suspendTenantBodySchema>;
