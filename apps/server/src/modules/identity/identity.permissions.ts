import { definePermissions } from '../../kernel/access.js';

/** Identity's permissions. Sessions, profile and password are self-service and need none. */
definePermissions({
  /** Create, list and revoke one's own API keys in the active tenant. */
  'api_keys:manage': { tenantRole: 'member' },
});
