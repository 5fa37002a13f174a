import type { LightMyRequestResponse } from 'fastify';
import { createFacebookProvider } from '../../src/modules/social/providers/facebook.js';
import { overrideProvider } from '../../src/modules/social/index.js';
import { signatureHeaderFor } from '../../src/modules/feeds/index.js';
import { createTestNote, openTestRequest, testSubjectType } from '../factories/approvals.js';
import { request, uniqueSuffix, type TestApp } from '../harness.js';
import { multipartBody, uploadReadyImage } from '../factories/media.js';
import { queueFirstMetrics } from '../factories/publishing.js';
import { holdAssets } from '../../src/modules/media/index.js';
import { withTenant } from '../../src/kernel/db/tenancy.js';
import { computeWebhookSignature } from '../../src/kernel/crypto/webhook-signatures.js';

export const sweepPassword = 'sweep-password-0123';

export type SweepTenant = {
  tenantId: string;
  slug: string;
  userId: string;
  email: string;
  /** The owner's access token, scoped to the tenant and its first account. */
  accessToken: string;
  accountId: string;
};

function expectStatus(response: LightMyRequestResponse, status: number, what: string): void {
  if (response.statusCode !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.statusCode}: ${response.body.slice(0, 500)}`);
  }
}

/** Register a new user with a new tenant through the API (POST /api/auth/register). */
export async function registerTenant(t: TestApp, label: string): Promise<SweepTenant> {
  const suffix = uniqueSuffix();
  const email = `${label}-owner-${suffix}@example.test`;
  const slug = `${label}-${suffix}`.slice(0, 63);
  const registered = await request(t.app, {
    method: 'POST',
    url: '/api/auth/register',
    payload: { name: `${label} Owner`, email, password: sweepPassword, tenantName: `${label} ${suffix}`, tenantSlug: slug },
  });
  expectStatus(registered, 201, 'register');
  const session = registered.json();
  let accessToken: string = session.accessToken;
  let accountId: string | null = session.scope?.accountId ?? null;
  const tenantId: string = session.tenant.id;
  if (!accountId) {
    const accounts = await request(t.app, { url: '/api/accounts', token: accessToken });
    expectStatus(accounts, 200, 'list accounts');
    accountId = accounts.json().items[0].id as string;
    const switched = await request(t.app, { method: 'POST', url: '/api/auth/switch', token: accessToken, payload: { tenantId, accountId } });
    expectStatus(switched, 200, 'switch to the first account');
    accessToken = switched.json().accessToken;
  }
  return { tenantId, slug, userId: session.user.id, email, accessToken, accountId };
}

/**
 * Give the tenant at least one row of every kind the foundation modules keep, each made through the API
 * the way a person would: a second account, an invitation (and its email), a profile, an API key (used
 * once), a custom domain, audit entries and outbox events as side effects.
 */
export async function populateTenant(t: TestApp, tenant: SweepTenant): Promise<{ apiKeySecret: string }> {
  const suffix = uniqueSuffix();
  const token = tenant.accessToken;
  const account = await request(t.app, { method: 'POST', url: '/api/accounts', token, payload: { name: `Second ${suffix}` } });
  expectStatus(account, 201, 'create account');

  const invitation = await request(t.app, {
    method: 'POST',
    url: '/api/invitations',
    token,
    payload: { email: `invitee-${suffix}@example.test`, role: 'editor', accountId: tenant.accountId },
  });
  expectStatus(invitation, 201, 'create invitation');

  const profile = await request(t.app, { method: 'POST', url: '/api/profiles', token, payload: { displayName: `Profile ${suffix}` } });
  expectStatus(profile, 201, 'create profile');

  const permissions = await request(t.app, { url: '/api/auth/permissions', token });
  expectStatus(permissions, 200, 'list API key permissions');
  const scopes: string[] = permissions.json().items;
  const apiKey = await request(t.app, { method: 'POST', url: '/api/auth/api-keys', token, payload: { name: `Key ${suffix}`, scopes } });
  expectStatus(apiKey, 201, 'create API key');
  const withKey = await request(t.app, { url: '/api/tenant', headers: { 'x-api-key': apiKey.json().secret } });
  expectStatus(withKey, 200, 'use the API key');

  const domain = await request(t.app, { method: 'POST', url: '/api/tenant/domains', token, payload: { domain: `www.${tenant.slug}.example.com` } });
  expectStatus(domain, 201, 'add a custom domain');

  const renamed = await request(t.app, { method: 'PATCH', url: '/api/tenant', token, payload: { name: `Renamed ${suffix}` } });
  expectStatus(renamed, 200, 'rename the tenant');

  // Social: a sandbox connection with a test post, and an OAuth round trip started (an oauth_states row).
  // Facebook needs an app id to start connecting; the sweep never reaches the network.
  overrideProvider(t.kernel, createFacebookProvider({ ...t.kernel.config, FACEBOOK_APP_ID: 'sweep-app', FACEBOOK_APP_SECRET: 'sweep-secret' }));
  const sandbox = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token, payload: { name: `Sandbox ${suffix}` } });
  expectStatus(sandbox, 201, 'create a sandbox connection');
  const testPost = await request(t.app, { method: 'POST', url: '/api/social/sandbox/posts', token, payload: { connectionId: sandbox.json().id, text: `Hello ${suffix}` } });
  expectStatus(testPost, 201, 'send a sandbox test post');
  const connect = await request(t.app, { method: 'POST', url: '/api/social/connect/facebook', token, payload: {} });
  expectStatus(connect, 200, 'start connecting Facebook');

  // Publishing: a post published now on the sandbox connection (target, attempt, transitions), and its
  // first engagement snapshot (queued as publishing.queue-metrics does, the +1 h collection brought forward).
  const post = await request(t.app, { method: 'POST', url: '/api/publishing/targets', token, payload: { connectionId: sandbox.json().id, content: { text: `Published ${suffix}` }, scheduledAt: null } });
  expectStatus(post, 201, 'publish a post now');
  await t.drainJobs();
  await queueFirstMetrics(t);
  await t.owner.query('UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1', [`metrics:${post.json().id}:1`]);
  await t.drainJobs();
  const published = await request(t.app, { url: `/api/publishing/targets/${post.json().id}`, token });
  expectStatus(published, 200, 'read the published post');
  if (published.json().status !== 'published' || !published.json().latestMetrics) throw new Error(`post not published with metrics: ${published.body.slice(0, 500)}`);
  const settings = await request(t.app, { method: 'PUT', url: '/api/publishing/settings', token, payload: { lateAfterSeconds: 3600, timezone: 'Europe/Berlin' } });
  expectStatus(settings, 200, 'set the account’s publishing settings');

  // Content: settings, a template, and a post made from it, edited (two revisions) and scheduled (variant,
  // destination, occurrence, its target mapped in post_targets).
  const contentSettings = { approvalPolicy: 'contributors', clientApprovalRequired: false, minGapMinutes: 0, dailyCaps: {}, abDefaultGapMinutes: 1440 };
  expectStatus(await request(t.app, { method: 'PUT', url: '/api/content/settings', token, payload: contentSettings }), 200, 'set the content settings');
  const template = await request(t.app, { method: 'POST', url: '/api/content/templates', token, payload: { name: `Template ${suffix}`, variables: [{ name: 'dish', label: 'Dish' }], bodies: { base: 'Today: {{ dish }}' } } });
  expectStatus(template, 201, 'create a content template');
  const contentPost = await request(t.app, { method: 'POST', url: '/api/content/posts', token, payload: { baseText: `Content ${suffix}`, destinations: [sandbox.json().id], templateId: template.json().id } });
  expectStatus(contentPost, 201, 'create a post');
  const plannedAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
  expectStatus(await request(t.app, { method: 'PATCH', url: `/api/content/posts/${contentPost.json().id}`, token, payload: { baseText: `Content ${suffix}, edited`, plannedAt, destinations: [sandbox.json().id], expectedRevision: 1 } }), 200, 'edit the post');
  expectStatus(await request(t.app, { method: 'POST', url: `/api/content/posts/${contentPost.json().id}/schedule`, token, payload: { acknowledgeConflicts: true } }), 200, 'schedule the post');
  // Content imports: a CSV checked in a dry run (the attempt is stored with its report).
  const csv = multipartBody({ name: 'posts.csv', contentType: 'text/csv', data: Buffer.from(`scheduled_at,connections,text\n,${sandbox.json().id},Imported ${suffix}\n`) });
  expectStatus(await request(t.app, { method: 'POST', url: '/api/content/imports?dryRun=true', token, payload: csv.payload, headers: csv.headers }), 200, 'check a CSV import');

  // Feeds: a subscription (its polls fail: the name does not resolve here) and a webhook endpoint that
  // received one signed article (an entry and a receipt).
  const subscription = await request(t.app, {
    method: 'POST',
    url: '/api/feeds/subscriptions',
    token,
    payload: { url: `https://blog-${suffix}.example.test/feeds/posts/default`, connectionIds: [sandbox.json().id] },
  });
  expectStatus(subscription, 201, 'subscribe to a feed');
  const webhook = await request(t.app, { method: 'POST', url: '/api/feeds/webhooks', token, payload: { name: `Blog ${suffix}` } });
  expectStatus(webhook, 201, 'create a feed webhook endpoint');
  const article = JSON.stringify({ id: `article-${suffix}`, title: `Article ${suffix}`, url: `https://blog.example.test/${suffix}` });
  const delivered = await request(t.app, {
    method: 'POST',
    url: `/api/public/feeds/webhooks/${webhook.json().endpoint.id}`,
    headers: { 'content-type': 'application/json', 'omni-signature': signatureHeaderFor(webhook.json().secret, Math.floor(Date.now() / 1000), article) },
    payload: article,
  });
  expectStatus(delivered, 202, 'deliver a signed article');

  // Notifications and approvals: a request in internal review decided by the owner (notifications and
  // their mails as side effects), one in client review decided through a client link, a comment, and an
  // email preference. The subject is approvals' test subject type (content registers its own).
  const internalNote = createTestNote({ accountId: tenant.accountId, authorUserId: tenant.userId, title: `Note ${suffix}` });
  const internal = await openTestRequest(t, { tenantId: tenant.tenantId, accountId: tenant.accountId, noteId: internalNote, requestedBy: null });
  expectStatus(await request(t.app, { method: 'POST', url: `/api/approvals/${internal.id}/decision`, token, payload: { outcome: 'approved' } }), 200, 'approve a request');
  const clientNote = createTestNote({ accountId: tenant.accountId, authorUserId: tenant.userId, title: `Client note ${suffix}` });
  const clientStage = await openTestRequest(t, { tenantId: tenant.tenantId, accountId: tenant.accountId, noteId: clientNote, stage: 'client', requestedBy: null });
  const link = await request(t.app, { method: 'POST', url: `/api/approvals/${clientStage.id}/links`, token, payload: { recipientName: 'Clara' } });
  expectStatus(link, 201, 'create a client approval link');
  expectStatus(await request(t.app, { method: 'POST', url: `/api/public/approvals/${link.json().token}/decision`, payload: { outcome: 'approved', name: 'Clara' } }), 200, 'decide through the link');
  const approvalComment = await request(t.app, { method: 'POST', url: '/api/approvals/comments', token, payload: { subjectType: testSubjectType, subjectId: clientNote, body: `Comment ${suffix}` } });
  expectStatus(approvalComment, 201, 'comment on a subject');
  const preferences = await request(t.app, { method: 'PUT', url: '/api/notifications/preferences', token, payload: { items: [{ kind: 'approvals.comment_added', emailEnabled: false }] } });
  expectStatus(preferences, 200, 'turn off an email notification');

  // AI: the tenant's own provider (offline, so no endpoint is called), a budget, a HITL policy and an
  // offline run (its run row, daily usage and rate-limit bucket).
  expectStatus(await request(t.app, { method: 'PUT', url: '/api/ai/settings', token, payload: { provider: { kind: 'offline', defaultModel: 'offline' } } }), 200, 'set the AI provider');
  expectStatus(await request(t.app, { method: 'PUT', url: '/api/ai/budget', token, payload: { monthlyLimitMicros: 5_000_000 } }), 200, 'set the AI budget');
  const hitlPolicy = { workflowType: 'moderation', mode: 'off', threshold: 0.5, deadlineMinutes: 60, escalationRole: 'admin', onTimeout: 'reject' };
  expectStatus(await request(t.app, { method: 'PUT', url: '/api/ai/hitl-policies', token, payload: hitlPolicy }), 200, 'set a HITL policy');
  expectStatus(await request(t.app, { method: 'POST', url: '/api/ai/agents/sentiment-analyst/runs', token, payload: { input: { texts: [`Great ${suffix}`] } } }), 201, 'run an AI agent');

  // A performance model as the nightly training stores it (training needs 30 published posts; the
  // predictor's own tests train real ones).
  await t.owner.query(
    `INSERT INTO ai_models (tenant_id, account_id, network, score_kind, feature_names, coefficients, feature_means, feature_scales,
                            weight_covariance, follower_proxy_default, n, r2, loo_r2, lambda, residual_se)
     VALUES ($1, $2, 'sandbox', 'per_impression', '{}', '{"intercept":0.05,"weights":[]}', '[]', '[]', '[]', 0, 30, 0, 0, 1, 0.01)`,
    [tenant.tenantId, tenant.accountId],
  );

  // Campaigns: a campaign with the scheduled content post linked to it (its prediction stored with the link).
  const campaign = await request(t.app, {
    method: 'POST',
    url: '/api/campaigns',
    token,
    payload: { name: `Campaign ${suffix}`, goal: 'awareness', channels: ['sandbox'], startsOn: '2030-01-01', endsOn: '2030-01-31', kpis: [{ metric: 'impressions', target: 1000 }] },
  });
  expectStatus(campaign, 201, 'create a campaign');
  expectStatus(await request(t.app, { method: 'POST', url: `/api/campaigns/${campaign.json().id}/posts`, token, payload: { postId: contentPost.json().id } }), 200, 'link a post to the campaign');

  // Workflows: a workflow edited once (two versions) and a manual run of it, finished (its step runs).
  const workflowDefinition = (title: string) => ({ trigger: { kind: 'manual' }, nodes: [{ id: 'tell', kind: 'notify', config: { title } }], edges: [{ id: 'e1', source: 'trigger', target: 'tell' }] });
  const workflow = await request(t.app, { method: 'POST', url: '/api/workflows', token, payload: { name: `Workflow ${suffix}`, definition: workflowDefinition('First') } });
  expectStatus(workflow, 201, 'create a workflow');
  expectStatus(await request(t.app, { method: 'PATCH', url: `/api/workflows/${workflow.json().id}`, token, payload: { definition: workflowDefinition('Second'), expectedVersion: 1 } }), 200, 'edit the workflow');
  expectStatus(await request(t.app, { method: 'POST', url: `/api/workflows/${workflow.json().id}/runs`, token, payload: { input: { suffix } } }), 201, 'start a workflow run');
  // …and a run parked on a wait_event step (its workflow_event_waits row).
  const waitDefinition = { trigger: { kind: 'manual' }, nodes: [{ id: 'wait', kind: 'wait_event', config: { eventType: 'content.post_published', timeoutMinutes: 60 } }], edges: [{ id: 'e1', source: 'trigger', target: 'wait' }] };
  const waitWorkflow = await request(t.app, { method: 'POST', url: '/api/workflows', token, payload: { name: `Waiting workflow ${suffix}`, definition: waitDefinition } });
  expectStatus(waitWorkflow, 201, 'create a waiting workflow');
  expectStatus(await request(t.app, { method: 'POST', url: `/api/workflows/${waitWorkflow.json().id}/runs`, token, payload: {} }), 201, 'start a waiting workflow run');
  // …and a webhook workflow (its workflow_triggers row).
  const webhookDefinition = { trigger: { kind: 'webhook' }, nodes: [{ id: 'tell', kind: 'notify', config: { title: 'Hooked' } }], edges: [{ id: 'e1', source: 'trigger', target: 'tell' }] };
  const webhookWorkflow = await request(t.app, { method: 'POST', url: '/api/workflows', token, payload: { name: `Webhook workflow ${suffix}`, definition: webhookDefinition } });
  expectStatus(webhookWorkflow, 201, 'create a webhook workflow');
  // …delivered once (its run and its workflow_webhook_receipts row).
  const hookBody = JSON.stringify({ suffix });
  const hookTimestamp = Math.floor(Date.now() / 1000);
  const hookSignature = computeWebhookSignature(webhookWorkflow.json().webhookSecret, hookTimestamp, hookBody);
  expectStatus(
    await request(t.app, {
      method: 'POST',
      url: new URL(webhookWorkflow.json().webhookUrl).pathname,
      payload: hookBody,
      headers: { 'content-type': 'application/json', 'x-omni-timestamp': String(hookTimestamp), 'x-omni-signature': `sha256=${hookSignature}`, 'x-omni-delivery': `sweep-${suffix}` },
    }),
    202,
    'deliver to the webhook workflow',
  );
  await t.drainJobs();

  // Media: an image uploaded and processed (asset, renditions, usage), held by a post-like holder.
  const image = await uploadReadyImage(t, token);
  await withTenant({ db: t.kernel.db, tenantId: tenant.tenantId }, (tx) => holdAssets(tx, { holder: `sweep.item:${suffix}`, assetIds: [image.id] }));
  return { apiKeySecret: apiKey.json().secret as string };
}

/** Every base table in the public schema with a tenant_id column, read from the catalog. */
export async function listTenantTables(t: TestApp): Promise<string[]> {
  const rows = await t.owner.query<{ table_name: string }>(
    `SELECT c.table_name
       FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
      WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND tb.table_type = 'BASE TABLE'
      ORDER BY c.table_name`,
  );
  return rows.rows.map((row) => row.table_name);
}

export type PrimaryKey = { columns: string[]; types: string[] };

export async function getPrimaryKey(t: TestApp, table: string): Promise<PrimaryKey> {
  const rows = await t.owner.query<{ column_name: string; data_type: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type
       FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey, a.attnum)`,
    [`public."${table}"`],
  );
  return { columns: rows.rows.map((row) => row.column_name), types: rows.rows.map((row) => row.data_type) };
}

/** Every uuid primary-key value of the tenant's rows, across all tenant tables, with the table it came from. */
export async function listTenantRowIds(t: TestApp, tenantId: string): Promise<Array<{ table: string; id: string }>> {
  const ids: Array<{ table: string; id: string }> = [{ table: 'tenants', id: tenantId }];
  for (const table of await listTenantTables(t)) {
    const key = await getPrimaryKey(t, table);
    if (key.columns.length !== 1 || key.types[0] !== 'uuid') continue;
    const rows = await t.owner.query<{ id: string }>(
      `SELECT ${quoteIdentifier(key.columns[0]!)}::text AS id FROM public.${quoteIdentifier(table)} WHERE tenant_id = $1 ORDER BY 1 LIMIT 50`,
      [tenantId],
    );
    for (const row of rows.rows) ids.push({ table, id: row.id });
  }
  return ids;
}

/** The tenant's rows in every tenant table, as JSON, to prove later that nothing touched them. */
export async function snapshotTenantRows(t: TestApp, tenantId: string): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of await listTenantTables(t)) {
    const rows = await t.owner.query<{ row: string }>(
      `SELECT to_jsonb(x)::text AS row FROM public.${quoteIdentifier(table)} x WHERE tenant_id = $1 ORDER BY 1`,
      [tenantId],
    );
    snapshot[table] = rows.rows.map((row) => row.row);
  }
  const tenant = await t.owner.query<{ row: string }>(`SELECT to_jsonb(x)::text AS row FROM tenants x WHERE id = $1`, [tenantId]);
  snapshot.tenants = tenant.rows.map((row) => row.row);
  return snapshot;
}

export const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
