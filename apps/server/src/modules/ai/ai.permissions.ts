import { definePermissions } from '../../kernel/access.js';

export const aiPermissions = {
  /** See the account's agent runs and the agent catalogue (viewers). */
  read: 'ai:read',
  /** Run agents (editors: runs cost money). */
  run: 'ai:run',
  /** The tenant's own provider and key, the budget and usage (tenant admins). */
  settings: 'ai:settings',
  /** The tenant's human-in-the-loop policies (tenant admins). */
  hitl: 'ai:hitl',
  /** The platform provider, prices and locked policies (super admins). */
  platform: 'platform:ai',
} as const;

definePermissions({
  'ai:read': { accountRole: 'viewer' },
  'ai:run': { accountRole: 'editor' },
  'ai:settings': { tenantRole: 'admin' },
  'ai:hitl': { tenantRole: 'admin' },
  'platform:ai': { platform: true },
});
