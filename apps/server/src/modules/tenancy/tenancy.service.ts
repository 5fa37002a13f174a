/** The tenancy use cases (one file per area under use-cases/). Routes call these; index.ts exports a few. */
export { archiveAccount, createAccount, createAccountRecord, getAccount, listAccounts, updateAccount } from './use-cases/accounts.js';
export { addDomain, listDomains, removeDomain, verifyDomain } from './use-cases/domains.js';
export {
  acceptInvitation,
  createInvitation,
  createInvitationRecord,
  listInvitations,
  lookupInvitation,
  resendInvitation,
  revokeInvitation,
} from './use-cases/invitations.js';
export { listMembers, removeMember, updateMember } from './use-cases/members.js';
export { listMyMemberships, membershipDirectory, resolveScope } from './use-cases/memberships.js';
export { createPlatformTenant, listPlatformTenants, reactivateTenant, suspendTenant } from './use-cases/platform.js';
export { createProfile, createProfileRecord, deleteProfile, getProfile, listProfiles, updateProfile } from './use-cases/profiles.js';
export {
  getBranding,
  getPublicTenant,
  getTenant,
  getTenantOverview,
  getThemeCss,
  provisionTenant,
  registerTenant,
  updateBranding,
  updateTenant,
} from './use-cases/tenants.js';
