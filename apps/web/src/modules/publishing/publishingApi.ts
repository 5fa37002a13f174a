import type {
  PublishTarget,
  PublishTargetDetail,
  PublishTargetList,
  PublishTargetStatus,
  PublishingSettings,
  ResolvePublishTargetBody,
  RetryPublishTargetBody,
  UpdatePublishingSettingsBody,
} from '@omni/contracts/publishing';
import type { Scope } from '@omni/contracts/identity';
import type { SocialConnection } from '@omni/contracts/social';
import { api } from '../../shared/api';

export type TargetFilters = { status?: PublishTargetStatus; network?: string; connectionId?: string; /** Scheduled before (ISO). */ to?: string };

const targetPath = (id: string, action = '') => `/api/publishing/targets/${encodeURIComponent(id)}${action}`;

/** Typed calls to /api/publishing (packages/contracts/src/publishing.ts). */
export const publishingApi = {
  targets: (filters: TargetFilters, cursor?: string, limit = 25) => {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
    if (cursor) query.set('cursor', cursor);
    return api.get<PublishTargetList>(`/api/publishing/targets?${query.toString()}`);
  },
  target: (id: string) => api.get<PublishTargetDetail>(targetPath(id)),
  reschedule: (id: string, scheduledAt: string) => api.patch<PublishTarget>(targetPath(id), { scheduledAt }),
  publishNow: (id: string) => api.post<PublishTarget>(targetPath(id, '/publish-now')),
  cancel: (id: string) => api.post<PublishTarget>(targetPath(id, '/cancel')),
  retry: (id: string, body: RetryPublishTargetBody = {}) => api.post<PublishTarget>(targetPath(id, '/retry'), body),
  resolve: (id: string, body: ResolvePublishTargetBody) => api.post<PublishTarget>(targetPath(id, '/resolve'), body),
  settings: () => api.get<PublishingSettings>('/api/publishing/settings'),
  updateSettings: (body: UpdatePublishingSettingsBody) => api.put<PublishingSettings>('/api/publishing/settings', body),
};

export const publishTargetStatuses: PublishTargetStatus[] = ['scheduled', 'publishing', 'published', 'failed', 'unconfirmed', 'late', 'cancelled'];

const accountRank = ['client', 'viewer', 'contributor', 'editor', 'admin'] as const;

/**
 * Mirrors publishing.permissions.ts: viewers and up read posts (in an account), editors publish, account
 * admins change the settings. Tenant owners and admins are account admins everywhere.
 */
export function publishingAccessOf(scope: Scope | null): { canRead: boolean; hasAccount: boolean; canPublish: boolean; canManageSettings: boolean } {
  const tenantAdmin = scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin';
  const accountRole = tenantAdmin ? 'admin' : scope?.accountId ? scope.accountRole : null;
  const rank = accountRole ? accountRank.indexOf(accountRole) : -1;
  const hasTenant = Boolean(scope?.tenantId);
  return {
    canRead: hasTenant && rank >= accountRank.indexOf('viewer'),
    hasAccount: Boolean(scope?.accountId),
    canPublish: hasTenant && rank >= accountRank.indexOf('editor'),
    canManageSettings: hasTenant && rank === accountRank.indexOf('admin'),
  };
}

/**
 * Where a person can look for a post whose outcome is unknown: the destination on its network when its
 * address follows from the id we hold, the console's Sandbox posts for a Sandbox feed, else null.
 */
export function whereToCheck(connection: Pick<SocialConnection, 'network' | 'destination'> | undefined): string | null {
  if (!connection) return null;
  const id = encodeURIComponent(connection.destination.externalId);
  switch (connection.network) {
    case 'sandbox':
      return '/connections#sandbox-posts';
    case 'facebook':
      return `https://www.facebook.com/${id}`;
    case 'x':
      return `https://x.com/i/user/${id}`;
    default:
      return null;
  }
}
