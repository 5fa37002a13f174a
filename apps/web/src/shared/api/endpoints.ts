import type {
  ApiKeyList,
  AuthSession,
  ChangePasswordBody,
  CreateApiKeyBody,
  CreatedApiKey,
  LoginBody,
  PermissionList,
  RevokeOtherSessionsResult,
  SessionList,
  SwitchScopeBody,
  UpdateUserProfileBody,
  User,
} from '@omni/contracts/identity';
import type {
  Account,
  AccountList,
  AcceptInvitationBody,
  Branding,
  CreateAccountBody,
  CreateInvitationBody,
  CreatePlatformTenantBody,
  CreatedPlatformTenant,
  Invitation,
  InvitationList,
  InvitationLookup,
  Member,
  MemberList,
  MyMemberships,
  PlatformTenantList,
  RegisterBody,
  RegisterResult,
  Tenant,
  TenantOverview,
  UpdateAccountBody,
  UpdateBrandingBody,
  UpdateMemberBody,
} from '@omni/contracts/tenancy';
import type { AuditList, AuditListQuery } from '@omni/contracts/audit';
import { api } from './index';

/** Typed calls to the foundation API (docs/foundation-api.md). Types come from packages/contracts. */

type Query = Record<string, string | number | boolean | null | undefined>;

async function adopt<T extends AuthSession>(promise: Promise<T>): Promise<T> {
  const session = await promise;
  api.applySession(session);
  return session;
}

export const authApi = {
  login: (body: LoginBody) => adopt(api.post<AuthSession>('/api/auth/login', body, { auth: false })),
  register: (body: RegisterBody) => adopt(api.post<RegisterResult>('/api/auth/register', body, { auth: false })),
  forgotPassword: (email: string) => api.post<void>('/api/auth/password/forgot', { email }, { auth: false }),
  resetPassword: (token: string, newPassword: string) => api.post<void>('/api/auth/password/reset', { token, newPassword }, { auth: false }),
  verifyEmail: (token: string) => api.post<User>('/api/auth/email/verify', { token }, { auth: false }),
  resendVerification: () => api.post<void>('/api/auth/email/resend'),
  requestMagicLink: (email: string) => api.post<void>('/api/auth/magic-link', { email }, { auth: false }),
  verifyMagicLink: (token: string) => adopt(api.post<AuthSession>('/api/auth/magic-link/verify', { token }, { auth: false })),
  switchScope: (body: SwitchScopeBody) => adopt(api.post<AuthSession>('/api/auth/switch', body)),
  profile: () => api.get<User>('/api/auth/profile'),
  updateProfile: (body: UpdateUserProfileBody) => api.patch<User>('/api/auth/profile', body),
  changePassword: (body: ChangePasswordBody) => api.post<void>('/api/auth/password', body),
  sessions: () => api.get<SessionList>('/api/auth/sessions'),
  revokeSession: (id: string) => api.delete(`/api/auth/sessions/${id}`),
  revokeOtherSessions: () => api.post<RevokeOtherSessionsResult>('/api/auth/sessions/revoke-others'),
  apiKeys: () => api.get<ApiKeyList>('/api/auth/api-keys'),
  createApiKey: (body: CreateApiKeyBody) => api.post<CreatedApiKey>('/api/auth/api-keys', body),
  revokeApiKey: (id: string) => api.delete(`/api/auth/api-keys/${id}`),
  permissions: () => api.get<PermissionList>('/api/auth/permissions'),
};

export const tenancyApi = {
  memberships: () => api.get<MyMemberships>('/api/me/memberships'),
  tenant: () => api.get<Tenant>('/api/tenant'),
  overview: () => api.get<TenantOverview>('/api/tenant/overview'),
  branding: () => api.get<Branding>('/api/tenant/branding'),
  updateBranding: (body: UpdateBrandingBody) => api.put<Branding>('/api/tenant/branding', body),
  accounts: (query: Query = {}) => api.get<AccountList>('/api/accounts', { query }),
  createAccount: (body: CreateAccountBody) => api.post<Account>('/api/accounts', body),
  updateAccount: (id: string, body: UpdateAccountBody) => api.patch<Account>(`/api/accounts/${id}`, body),
  members: (query: Query = {}) => api.get<MemberList>('/api/members', { query }),
  updateMember: (id: string, body: UpdateMemberBody) => api.patch<Member>(`/api/members/${id}`, body),
  removeMember: (id: string) => api.delete(`/api/members/${id}`),
  invitations: (query: Query = {}) => api.get<InvitationList>('/api/invitations', { query }),
  createInvitation: (body: CreateInvitationBody) => api.post<Invitation>('/api/invitations', body),
  revokeInvitation: (id: string) => api.delete(`/api/invitations/${id}`),
  resendInvitation: (id: string) => api.post<Invitation>(`/api/invitations/${id}/resend`),
  lookupInvitation: (token: string) => api.get<InvitationLookup>('/api/invitations/lookup', { query: { token }, auth: false }),
  acceptInvitation: (body: AcceptInvitationBody, signedIn: boolean) =>
    adopt(api.post<AuthSession>('/api/invitations/accept', body, { auth: signedIn })),
};

export const platformApi = {
  tenants: (query: Query = {}) => api.get<PlatformTenantList>('/api/platform/tenants', { query }),
  createTenant: (body: CreatePlatformTenantBody) => api.post<CreatedPlatformTenant>('/api/platform/tenants', body),
  suspendTenant: (id: string, reason: string) => api.post<Tenant>(`/api/platform/tenants/${id}/suspend`, { reason }),
  reactivateTenant: (id: string) => api.post<Tenant>(`/api/platform/tenants/${id}/reactivate`),
};

export type AuditFilters = Partial<Pick<AuditListQuery, 'action' | 'actorUserId' | 'targetType' | 'from' | 'to' | 'cursor'>>;

export const auditApi = {
  list: (filters: AuditFilters & { tenantId?: string }, platform: boolean) =>
    api.get<AuditList>(platform ? '/api/platform/audit' : '/api/audit', { query: { ...filters, limit: 25 } }),
};
