import type { FeedWebhookSecret } from '@omni/contracts/feeds';
import { request, type TestApp } from '../harness.js';

/** Test helpers shared by the feeds tests: endpoints, signed deliveries, and a look at the feeds tables. */

export async function createWebhookEndpoint(t: TestApp, token: string, body: Record<string, unknown> = {}): Promise<FeedWebhookSecret> {
  const response = await request(t.app, { method: 'POST', url: '/api/feeds/webhooks', token, payload: { name: 'Blog', ...body } });
  if (response.statusCode !== 201) throw new Error(`create webhook: ${response.statusCode} ${response.body}`);
  return response.json<FeedWebhookSecret>();
}

/**
 * Every feeds row of a tenant, as the owner sees them, to prove a refusal changed nothing. Entries are
 * compared without the columns the drafts job writes (test files share one job queue, and another file's
 * drain may run this tenant's jobs at any moment); a refusal that made an entry still shows as a new row.
 */
export async function snapshotFeedRows(t: TestApp, tenantId: string): Promise<Record<string, string[]>> {
  const queries: Record<string, string> = {
    feed_subscriptions: 'SELECT to_jsonb(x)::text AS row FROM feed_subscriptions x WHERE tenant_id = $1 ORDER BY 1',
    feed_webhook_endpoints: 'SELECT to_jsonb(x)::text AS row FROM feed_webhook_endpoints x WHERE tenant_id = $1 ORDER BY 1',
    feed_entries: `SELECT (to_jsonb(x) - 'status' - 'error' - 'post_id' - 'processed_at')::text AS row FROM feed_entries x WHERE tenant_id = $1 ORDER BY 1`,
    feed_webhook_receipts: 'SELECT to_jsonb(x)::text AS row FROM feed_webhook_receipts x WHERE tenant_id = $1 ORDER BY 1',
  };
  const snapshot: Record<string, string[]> = {};
  for (const [table, query] of Object.entries(queries)) {
    const rows = await t.owner.query<{ row: string }>(query, [tenantId]);
    snapshot[table] = rows.rows.map((row) => row.row);
  }
  return snapshot;
}
