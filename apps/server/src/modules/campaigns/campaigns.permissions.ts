import { definePermissions } from '../../kernel/access.js';

/**
 * Campaign permissions, at account level (a tenant owner/admin is an account admin everywhere). Like
 * content, contributors write; generating a strategy also needs ai:run (editors: AI runs cost money).
 */
export const campaignsPermissions = {
  /** See the account's campaigns, their posts, predictions and performance. */
  read: 'campaigns:read',
  /** Create, edit, archive and delete campaigns; link and unlink posts; submit the campaign's drafts. */
  write: 'campaigns:write',
} as const;

definePermissions({
  'campaigns:read': { accountRole: 'viewer' },
  'campaigns:write': { accountRole: 'contributor' },
});
