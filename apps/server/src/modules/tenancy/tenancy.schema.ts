import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Drizzle mirrors of the tenancy tables in migrations/0001_foundation.sql (the SQL is the source of truth:
 * constraints, indexes and row-level security live there). `slug`, `domain` and `email` are citext in SQL.
 */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: text('slug').notNull(),
  industry: text('industry', { enum: ['marketing_agency', 'ecommerce', 'talent', 'other'] }).notNull().default('marketing_agency'),
  status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
  plan: text('plan').notNull().default('starter'),
  branding: jsonb('branding').$type<Record<string, unknown>>().notNull().default({}),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  suspendedAt: timestamptz('suspended_at'),
  suspendedReason: text('suspended_reason'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const tenantDomains = pgTable('tenant_domains', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  domain: text('domain').notNull(),
  kind: text('kind', { enum: ['subdomain', 'custom'] }).notNull(),
  verificationToken: text('verification_token').notNull(),
  verifiedAt: timestamptz('verified_at'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  name: text('name').notNull(),
  slug: text('slug').notNull(),
  status: text('status', { enum: ['active', 'archived'] }).notNull().default('active'),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const memberships = pgTable('memberships', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id'),
  userId: uuid('user_id').notNull(),
  role: text('role', { enum: ['owner', 'admin', 'member', 'editor', 'contributor', 'viewer', 'client'] }).notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const profiles = pgTable('profiles', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id').notNull(),
  userId: uuid('user_id').notNull(),
  displayName: text('display_name').notNull(),
  slug: text('slug').notNull(),
  headline: text('headline'),
  bio: text('bio'),
  visibility: text('visibility', { enum: ['public', 'tenant', 'private'] }).notNull().default('tenant'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export const invitations = pgTable('invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: uuid('tenant_id').notNull(),
  accountId: uuid('account_id'),
  email: text('email').notNull(),
  role: text('role', { enum: ['owner', 'admin', 'member', 'editor', 'contributor', 'viewer', 'client'] }).notNull(),
  tokenHash: text('token_hash').notNull(),
  invitedBy: uuid('invited_by'),
  expiresAt: timestamptz('expires_at').notNull(),
  acceptedAt: timestamptz('accepted_at'),
  acceptedBy: uuid('accepted_by'),
  revokedAt: timestamptz('revoked_at'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export type TenantRow = typeof tenants.$inferSelect;
export type TenantDomainRow = typeof tenantDomains.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type ProfileRow = typeof profiles.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
