import { definePermissions } from '../../kernel/access.js';

export const feedsPermissions = {
  /** See the account's feed subscriptions, webhook endpoints (never their secrets) and received articles. */
  read: 'feeds:read',
  /** Add, change and remove subscriptions and webhook endpoints, rotate secrets, poll now (editors). */
  manage: 'feeds:manage',
} as const;

definePermissions({
  'feeds:read': { accountRole: 'viewer' },
  'feeds:manage': { accountRole: 'editor' },
});
