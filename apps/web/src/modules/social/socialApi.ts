import type {
  Authorization,
  CreateConnectionsBody,
  CreateSandboxConnectionBody,
  PendingSelection,
  SandboxPost,
  SandboxPostList,
  SocialConnection,
  SocialConnectionList,
  SocialNetworkList,
} from '@omni/contracts/social';
import type { Scope } from '@omni/contracts/identity';
import { api } from '../../shared/api';

/** Typed calls to /api/social (packages/contracts/src/social.ts). */
export const socialApi = {
  networks: () => api.get<SocialNetworkList>('/api/social/networks'),
  connections: () => api.get<SocialConnectionList>('/api/social/connections'),
  startConnect: (network: string) => api.post<Authorization>(`/api/social/connect/${encodeURIComponent(network)}`, {}),
  selection: (id: string) => api.get<PendingSelection>(`/api/social/selections/${encodeURIComponent(id)}`),
  createConnections: (body: CreateConnectionsBody) => api.post<SocialConnectionList>('/api/social/connections', body),
  createSandbox: (body: CreateSandboxConnectionBody) => api.post<SocialConnection>('/api/social/connections/sandbox', body),
  reconnect: (id: string) => api.post<Authorization>(`/api/social/connections/${encodeURIComponent(id)}/reconnect`),
  disconnect: (id: string) => api.delete(`/api/social/connections/${encodeURIComponent(id)}`),
  sandboxPosts: () => api.get<SandboxPostList>('/api/social/sandbox/posts'),
  sendTestPost: (connectionId: string, text: string) => api.post<SandboxPost>('/api/social/sandbox/posts', { connectionId, text }),
  addEngagement: (postId: string, body: { likes?: number; comments?: number; shares?: number; impressions?: number; clicks?: number }) =>
    api.post<SandboxPost>(`/api/social/sandbox/posts/${encodeURIComponent(postId)}/engagement`, body),
};

const accountRank = ['client', 'viewer', 'contributor', 'editor', 'admin'] as const;

/** Mirrors social.permissions.ts: viewers and up read; account admins and tenant admins manage. */
export function socialAccessOf(scope: Scope | null): { canRead: boolean; canManage: boolean } {
  const tenantAdmin = scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin';
  const accountRole = tenantAdmin ? 'admin' : scope?.accountId ? scope.accountRole : null;
  const rank = accountRole ? accountRank.indexOf(accountRole) : -1;
  const hasTenant = Boolean(scope?.tenantId);
  return {
    canRead: hasTenant && (tenantAdmin || scope?.tenantRole === 'member' || rank >= accountRank.indexOf('viewer')),
    canManage: hasTenant && (tenantAdmin || accountRole === 'admin'),
  };
}
