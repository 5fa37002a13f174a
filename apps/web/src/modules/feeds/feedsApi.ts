import type {
  CreateFeedSubscriptionInput,
  CreateFeedWebhookInput,
  FeedEntryList,
  FeedPollResult,
  FeedPreview,
  FeedSubscription,
  FeedSubscriptionList,
  FeedWebhookEndpoint,
  FeedWebhookEndpointList,
  FeedWebhookSecret,
  UpdateFeedSubscriptionBody,
  UpdateFeedWebhookBody,
} from '@omni/contracts/feeds';
import type { Scope } from '@omni/contracts/identity';
import { api } from '../../shared/api';
import { publishingAccessOf } from '../publishing/publishingApi';

const id = (value: string) => encodeURIComponent(value);

/** Typed calls to /api/feeds (packages/contracts/src/feeds.ts). */
export const feedsApi = {
  subscriptions: () => api.get<FeedSubscriptionList>('/api/feeds/subscriptions'),
  preview: (url: string) => api.post<FeedPreview>('/api/feeds/subscriptions/preview', { url }),
  subscribe: (body: CreateFeedSubscriptionInput) => api.post<FeedSubscription>('/api/feeds/subscriptions', body),
  updateSubscription: (subscriptionId: string, body: UpdateFeedSubscriptionBody) => api.patch<FeedSubscription>(`/api/feeds/subscriptions/${id(subscriptionId)}`, body),
  removeSubscription: (subscriptionId: string) => api.delete(`/api/feeds/subscriptions/${id(subscriptionId)}`),
  pollNow: (subscriptionId: string) => api.post<FeedPollResult>(`/api/feeds/subscriptions/${id(subscriptionId)}/poll`),
  webhooks: () => api.get<FeedWebhookEndpointList>('/api/feeds/webhooks'),
  createWebhook: (body: CreateFeedWebhookInput) => api.post<FeedWebhookSecret>('/api/feeds/webhooks', body),
  updateWebhook: (endpointId: string, body: UpdateFeedWebhookBody) => api.patch<FeedWebhookEndpoint>(`/api/feeds/webhooks/${id(endpointId)}`, body),
  removeWebhook: (endpointId: string) => api.delete(`/api/feeds/webhooks/${id(endpointId)}`),
  rotateSecret: (endpointId: string) => api.post<FeedWebhookSecret>(`/api/feeds/webhooks/${id(endpointId)}/rotate-secret`),
  entries: (limit = 20) => api.get<FeedEntryList>(`/api/feeds/entries?limit=${limit}`),
};

/**
 * Mirrors feeds.permissions.ts: viewers and up read (in an account), editors and up manage — the same
 * account-role thresholds as publishing's read and publish.
 */
export function feedsAccessOf(scope: Scope | null): { canRead: boolean; canManage: boolean; hasAccount: boolean } {
  const publishing = publishingAccessOf(scope);
  return { canRead: publishing.canRead, canManage: publishing.canPublish, hasAccount: publishing.hasAccount };
}

/** How a blog signs a delivery, shown with a new secret: a curl line and the same in Node. */
export function signingExamples(url: string, secret: string): { curl: string; node: string } {
  const body = '{"id":"post-123","title":"Hello","url":"https://blog.example.com/hello"}';
  return {
    curl: [
      `BODY='${body}'`,
      'T=$(date +%s)',
      `SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac '${secret}' -hex | sed 's/^.* //')`,
      `curl -X POST '${url}' -H 'content-type: application/json' -H "Omni-Signature: t=$T,v1=$SIG" --data "$BODY"`,
    ].join('\n'),
    node: [
      "import { createHmac } from 'node:crypto';",
      `const body = JSON.stringify({ id: 'post-123', title: 'Hello', url: 'https://blog.example.com/hello' });`,
      'const t = Math.floor(Date.now() / 1000);',
      `const v1 = createHmac('sha256', process.env.OMNI_WEBHOOK_SECRET).update(\`\${t}.\${body}\`).digest('hex');`,
      `await fetch('${url}', { method: 'POST', headers: { 'content-type': 'application/json', 'omni-signature': \`t=\${t},v1=\${v1}\` }, body });`,
    ].join('\n'),
  };
}
