import { randomUUID } from 'node:crypto';
import type { Workflow, WorkflowDefinitionInput, WorkflowRun, WorkflowSaved } from '@omni/contracts/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeWebhookSignature } from '../../kernel/crypto/webhook-signatures.js';
import { withTenant } from '../../kernel/db/tenancy.js';
import { emitEvent, type DomainEvent } from '../../kernel/events/events.js';
import { executeJob } from '../../kernel/jobs/jobs.js';
import { registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createWorkflow, getRun, stepOf } from '../../../test/factories/workflows.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { enqueueEventRuns } from './triggers/event-triggers.js';
import { nextFireAfter } from './triggers/schedule.js';

/** Event, schedule and webhook triggers through the API, the event bus and the real jobs (docs/design/workflows.md §4, §8). */
describe('workflows: triggers', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;
  let other: RegisteredTenant;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await registerTenant(t.app);
    other = await registerTenant(t.app);
  });
  afterAll(() => t?.close());

  const notify = (id: string, title: string) => ({ id, kind: 'notify' as const, config: { to: 'role', role: 'editor', title } });
  const withTrigger = (trigger: WorkflowDefinitionInput['trigger'], title = 'Started'): WorkflowDefinitionInput => ({
    trigger,
    nodes: [notify('tell', title)],
    edges: [{ id: 'e1', source: 'trigger', sourceHandle: null, target: 'tell' }],
  });

  async function runsOf(owner: RegisteredTenant, workflowId: string): Promise<WorkflowRun[]> {
    const response = await request(t.app, { url: `/api/workflows/runs?workflowId=${workflowId}`, token: owner.token });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: WorkflowRun[] }>().items;
  }

  const patch = (workflowId: string, payload: Record<string, unknown>, token = tenant.token) => request(t.app, { method: 'PATCH', url: `/api/workflows/${workflowId}`, token, payload });

  async function triggerRow(workflowId: string) {
    const { rows } = await t.owner.query<{ kind: string; active: boolean; next_fire_at: Date | null; webhook_key: string | null; webhook_secret_encrypted: string | null }>(
      'SELECT kind, active, next_fire_at, webhook_key, webhook_secret_encrypted FROM workflow_triggers WHERE workflow_id = $1',
      [workflowId],
    );
    return rows[0] ?? null;
  }

  describe('event triggers', () => {
    const emit = (owner: RegisteredTenant, payload: Record<string, unknown>) =>
      withTenant({ db: t.kernel.db, tenantId: owner.tenant.id }, (tx) => emitEvent(tx, { tenantId: owner.tenant.id, type: 'feeds.article_received', payload }));
    const article = (owner: RegisteredTenant, sourceType: string) => ({ entryId: randomUUID(), accountId: owner.accountId, sourceType, sourceId: randomUUID(), url: `https://blog.example.test/${randomUUID()}`, postId: null });

    it('starts exactly one run per matching event, none when the filter is false, and none more when the event is delivered again', async () => {
      const workflow = await createWorkflow(t, tenant.token, withTrigger({ kind: 'event', eventType: 'feeds.article_received', filter: 'event.sourceType = "webhook"' }, 'Article {{ trigger.payload.url }}'));
      const matching = article(tenant, 'webhook');
      const eventId = await emit(tenant, matching);
      await emit(tenant, article(tenant, 'subscription'));
      await t.drainJobs();

      const runs = await runsOf(tenant, workflow.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: 'succeeded', trigger: { kind: 'event', payload: matching }, startedBy: null });
      expect(stepOf(await getRun(t, tenant.token, runs[0]!.id), 'tell')).toMatchObject({ status: 'succeeded', input: { title: `Article ${matching.url}` } });
      const { rows } = await t.owner.query<{ dedup_key: string }>('SELECT dedup_key FROM workflow_runs WHERE id = $1', [runs[0]!.id]);
      expect(rows[0]!.dedup_key).toBe(eventId);

      // The bus delivers at least once: the same event again (same id) starts nothing new.
      const redelivered: DomainEvent = { id: eventId, tenantId: tenant.tenant.id, type: 'feeds.article_received', payload: matching, createdAt: new Date() };
      const matched = await withTenant({ db: t.kernel.db, tenantId: tenant.tenant.id }, (tx) => enqueueEventRuns(tx, redelivered));
      expect(matched).toBe(1);
      await t.drainJobs();
      expect(await runsOf(tenant, workflow.id)).toHaveLength(1);

      // A new matching event is a new run.
      await emit(tenant, article(tenant, 'webhook'));
      await t.drainJobs();
      expect(await runsOf(tenant, workflow.id)).toHaveLength(2);
    });

    it('never starts a run for another tenant’s event, another account’s, or while the workflow is paused', async () => {
      const workflow = await createWorkflow(t, tenant.token, withTrigger({ kind: 'event', eventType: 'feeds.article_received', filter: null }));
      // Another tenant's event, even one naming this tenant's account.
      await emit(other, article(other, 'webhook'));
      await emit(other, article(tenant, 'webhook'));
      // This tenant, another account.
      await emit(tenant, { ...article(tenant, 'webhook'), accountId: randomUUID() });
      await t.drainJobs();
      expect(await runsOf(tenant, workflow.id)).toHaveLength(0);

      expect((await patch(workflow.id, { status: 'paused' })).statusCode).toBe(200);
      expect(await triggerRow(workflow.id)).toMatchObject({ kind: 'event', active: false });
      await emit(tenant, article(tenant, 'webhook'));
      await t.drainJobs();
      expect(await runsOf(tenant, workflow.id)).toHaveLength(0);

      expect((await patch(workflow.id, { status: 'active' })).statusCode).toBe(200);
      await emit(tenant, article(tenant, 'webhook'));
      await t.drainJobs();
      expect(await runsOf(tenant, workflow.id)).toHaveLength(1);
    });

    it('a trigger changed to manual has no row any more, and a deleted workflow takes its row along', async () => {
      const workflow = await createWorkflow(t, tenant.token, withTrigger({ kind: 'event', eventType: 'content.post_published', filter: null }));
      expect(await triggerRow(workflow.id)).toMatchObject({ kind: 'event', active: true });
      expect((await patch(workflow.id, { definition: withTrigger({ kind: 'manual' }), expectedVersion: 1 })).statusCode).toBe(200);
      expect(await triggerRow(workflow.id)).toBeNull();
      const scheduled = await createWorkflow(t, tenant.token, withTrigger({ kind: 'schedule', cron: '*/5 * * * *', timezone: 'UTC' }));
      expect(await triggerRow(scheduled.id)).not.toBeNull();
      expect((await request(t.app, { method: 'DELETE', url: `/api/workflows/${scheduled.id}`, token: tenant.token })).statusCode).toBe(204);
      expect(await triggerRow(scheduled.id)).toBeNull();
    });
  });

  describe('schedule triggers', () => {
    const fire = () => executeJob(t.kernel, t.jobs.get('workflows.fire-schedules')!, { tenantId: null, data: {} }, { jobId: 'fire', attempt: 1 });
    const romeParts = (at: Date) =>
      Object.fromEntries(
        new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((part) => [part.type, part.value]),
      );

    it('computes the next fire in the trigger’s time zone, across daylight saving time', () => {
      const weekdaysAtNine = (after: string) => nextFireAfter('0 9 * * 1-5', 'Europe/Rome', new Date(after)).toISOString();
      // Friday after nine in winter (UTC+1): Monday 09:00 Rome is 08:00 UTC.
      expect(weekdaysAtNine('2026-12-04T09:30:00Z')).toBe('2026-12-07T08:00:00.000Z');
      // Wednesday morning in summer (UTC+2): the same day, 07:00 UTC.
      expect(weekdaysAtNine('2026-07-01T06:00:00Z')).toBe('2026-07-01T07:00:00.000Z');
      // Over the spring change (Sunday 29 March 2026): Friday in winter time, Monday in summer time.
      expect(weekdaysAtNine('2026-03-27T10:00:00Z')).toBe('2026-03-30T07:00:00.000Z');
      // The same cron in another zone is another instant.
      expect(nextFireAfter('0 9 * * 1-5', 'America/New_York', new Date('2026-12-04T09:30:00Z')).toISOString()).toBe('2026-12-04T14:00:00.000Z');
    });

    it('saves the next fire on creation: a weekday at 09:00 in Rome, after now', async () => {
      const workflow = await createWorkflow(t, tenant.token, withTrigger({ kind: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Rome' }));
      const row = await triggerRow(workflow.id);
      const next = new Date(row!.next_fire_at!);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(4 * 86_400_000);
      const parts = romeParts(next);
      expect([parts.hour, parts.minute]).toEqual(['09', '00']);
      expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(parts.weekday);
    });

    it('fires a due schedule once per slot even when the job runs twice, missed fires make no backlog, and pausing disarms it', async () => {
      const workflow = await createWorkflow(t, tenant.token, withTrigger({ kind: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Rome' }, 'Good morning'));
      // The worker was down for days: the last slot it missed is three days ago.
      const missed = new Date(Date.now() - 3 * 86_400_000);
      missed.setUTCSeconds(0, 0);
      await t.owner.query('UPDATE workflow_triggers SET next_fire_at = $2 WHERE workflow_id = $1', [workflow.id, missed]);
      await fire();
      // A second job for the same slot (a replay, or two workers racing): the fire time is the dedup key.
      await t.owner.query('UPDATE workflow_triggers SET next_fire_at = $2 WHERE workflow_id = $1', [workflow.id, missed]);
      await fire();
      await fire();
      await t.drainJobs();

      const runs = await runsOf(tenant, workflow.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: 'succeeded', trigger: { kind: 'schedule', payload: { scheduledAt: missed.toISOString(), cron: '0 9 * * 1-5', timezone: 'Europe/Rome' } } });
      const next = new Date((await triggerRow(workflow.id))!.next_fire_at!);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(next.toISOString()).toBe(nextFireAfter('0 9 * * 1-5', 'Europe/Rome', new Date()).toISOString());

      expect((await patch(workflow.id, { status: 'paused' })).statusCode).toBe(200);
      expect(await triggerRow(workflow.id)).toMatchObject({ active: false, next_fire_at: null });
      await fire();
      expect(await runsOf(tenant, workflow.id)).toHaveLength(1);
      expect((await patch(workflow.id, { status: 'active' })).statusCode).toBe(200);
      expect((await triggerRow(workflow.id))!.next_fire_at).not.toBeNull();
    });
  });

  describe('webhook triggers', () => {
    const hookPath = (saved: Workflow) => new URL(saved.webhookUrl!).pathname;
    function signed(secret: string, body: string, options: { timestamp?: number; delivery?: string } = {}) {
      const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
      return {
        'content-type': 'application/json',
        'x-omni-timestamp': String(timestamp),
        'x-omni-signature': `sha256=${computeWebhookSignature(secret, timestamp, body)}`,
        'x-omni-delivery': options.delivery ?? randomUUID(),
      };
    }
    const post = (path: string, body: string, headers: Record<string, string>) => request(t.app, { method: 'POST', url: path, payload: body, headers });
    let workflow: WorkflowSaved;

    beforeAll(async () => {
      workflow = await createWorkflow(t, tenant.token, withTrigger({ kind: 'webhook' }, 'Lead {{ trigger.payload.email }}'));
    });

    it('shows the URL always and the secret only on creation', async () => {
      expect(workflow.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(workflow.webhookUrl).toMatch(/^http:\/\/localhost:\d+\/api\/hooks\/workflows\/[A-Za-z0-9_-]{32}$/);
      const read = await request(t.app, { url: `/api/workflows/${workflow.id}`, token: tenant.token });
      expect(read.json()).toMatchObject({ webhookUrl: workflow.webhookUrl });
      expect(read.json()).not.toHaveProperty('webhookSecret');
      const { webhook_secret_encrypted: stored } = (await triggerRow(workflow.id))!;
      expect(stored).not.toContain(workflow.webhookSecret!.slice(6));
      // An edit keeps the URL and the secret (none shown).
      const edited = await patch(workflow.id, { definition: withTrigger({ kind: 'webhook' }, 'New lead {{ trigger.payload.email }}'), expectedVersion: 1 });
      expect(edited.json<WorkflowSaved>()).toMatchObject({ webhookUrl: workflow.webhookUrl, webhookSecret: null, currentVersion: 2 });
    });

    it('a signed delivery starts a run with the JSON body as its payload; the same delivery id again is a duplicate', async () => {
      const body = JSON.stringify({ email: 'ada@example.test', score: 82 });
      const headers = signed(workflow.webhookSecret!, body);
      const accepted = await post(hookPath(workflow), body, headers);
      expect(accepted.statusCode, accepted.body).toBe(202);
      const { runId, duplicate } = accepted.json<{ runId: string; duplicate: boolean }>();
      expect(duplicate).toBe(false);
      await t.drainJobs();
      const run = await getRun(t, tenant.token, runId);
      expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'webhook', payload: { email: 'ada@example.test', score: 82 } } });
      expect(stepOf(run, 'tell')).toMatchObject({ status: 'succeeded', input: { title: 'New lead ada@example.test' } });

      // A retry of that delivery (re-signed, same id) and a captured copy replayed: the run it started, no other.
      const retried = await post(hookPath(workflow), body, signed(workflow.webhookSecret!, body, { delivery: headers['x-omni-delivery'] }));
      expect(retried.statusCode).toBe(202);
      expect(retried.json()).toEqual({ runId, duplicate: true });
      expect((await post(hookPath(workflow), body, headers)).json()).toEqual({ runId, duplicate: true });
      expect((await post(hookPath(workflow), body, { ...headers, 'x-omni-delivery': 'a-new-id-on-a-captured-request' })).json()).toEqual({ runId, duplicate: true });
      await t.drainJobs();
      expect((await runsOf(tenant, workflow.id)).map((candidate) => candidate.id)).toEqual([runId]);
    });

    it('refuses bad and missing signatures and stale timestamps with 401, unknown keys with 404, and starts nothing', async () => {
      const before = (await runsOf(tenant, workflow.id)).length;
      const body = JSON.stringify({ email: 'mallory@example.test' });
      const forged = await post(hookPath(workflow), body, signed('whsec_not-the-secret', body));
      expect(forged.statusCode).toBe(401);
      expect(forged.headers['content-type']).toContain('application/problem+json');
      expect(forged.json()).toMatchObject({ code: 'workflows.webhook_signature_invalid' });

      const tampered = signed(workflow.webhookSecret!, body);
      expect((await post(hookPath(workflow), JSON.stringify({ email: 'eve@example.test' }), tampered)).json()).toMatchObject({ status: 401, code: 'workflows.webhook_signature_invalid' });

      const stale = await post(hookPath(workflow), body, signed(workflow.webhookSecret!, body, { timestamp: Math.floor(Date.now() / 1000) - 301 }));
      expect(stale.statusCode).toBe(401);
      expect(stale.json()).toMatchObject({ code: 'workflows.webhook_timestamp_stale' });

      const unsigned = await post(hookPath(workflow), body, { 'content-type': 'application/json', 'x-omni-delivery': 'd-1' });
      expect(unsigned.statusCode).toBe(401);
      expect(unsigned.json()).toMatchObject({ code: 'workflows.webhook_signature_missing' });

      const { 'x-omni-delivery': _delivery, ...undelivered } = signed(workflow.webhookSecret!, body);
      expect((await post(hookPath(workflow), body, undelivered)).json()).toMatchObject({ status: 400, code: 'workflows.webhook_delivery_missing' });
      expect((await post(hookPath(workflow), '{not json', signed(workflow.webhookSecret!, '{not json'))).json()).toMatchObject({ status: 400, code: 'workflows.webhook_body_invalid' });

      const unknown = await post('/api/hooks/workflows/no-such-key-0123456789abcdef', body, signed(workflow.webhookSecret!, body));
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['content-type']).toContain('application/problem+json');

      const tooLarge = JSON.stringify({ text: 'x'.repeat(256 * 1024) });
      expect((await post(hookPath(workflow), tooLarge, signed(workflow.webhookSecret!, tooLarge))).statusCode).toBe(413);
      expect(await runsOf(tenant, workflow.id)).toHaveLength(before);
    });

    it('a paused workflow’s webhook answers 409 and keeps its URL; activated again, it runs', async () => {
      const paused = await createWorkflow(t, tenant.token, withTrigger({ kind: 'webhook' }), { active: false });
      const body = JSON.stringify({ email: 'paused@example.test' });
      const refused = await post(hookPath(paused), body, signed(paused.webhookSecret!, body));
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'workflows.not_active' });
      const activated = await patch(paused.id, { status: 'active' });
      expect(activated.json<WorkflowSaved>()).toMatchObject({ webhookUrl: paused.webhookUrl, webhookSecret: null });
      expect((await post(hookPath(paused), body, signed(paused.webhookSecret!, body))).statusCode).toBe(202);
    });

    it('rotating the secret shows the new one once and the old one stops working at once', async () => {
      const rotatedResponse = await request(t.app, { method: 'POST', url: `/api/workflows/${workflow.id}/webhook-secret`, token: tenant.token });
      expect(rotatedResponse.statusCode, rotatedResponse.body).toBe(200);
      const rotated = rotatedResponse.json<WorkflowSaved>();
      expect(rotated.webhookSecret).toMatch(/^whsec_/);
      expect(rotated.webhookSecret).not.toBe(workflow.webhookSecret);
      expect(rotated.webhookUrl).toBe(workflow.webhookUrl);
      const body = JSON.stringify({ email: 'rotated@example.test' });
      expect((await post(hookPath(workflow), body, signed(workflow.webhookSecret!, body))).json()).toMatchObject({ status: 401, code: 'workflows.webhook_signature_invalid' });
      expect((await post(hookPath(workflow), body, signed(rotated.webhookSecret!, body))).statusCode).toBe(202);

      const manual = await createWorkflow(t, tenant.token, withTrigger({ kind: 'manual' }));
      const refused = await request(t.app, { method: 'POST', url: `/api/workflows/${manual.id}/webhook-secret`, token: tenant.token });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'workflows.not_webhook' });
      // Another tenant cannot rotate it (404, as for an id that exists nowhere).
      expect((await request(t.app, { method: 'POST', url: `/api/workflows/${workflow.id}/webhook-secret`, token: other.token })).statusCode).toBe(404);
    });
  });
});
