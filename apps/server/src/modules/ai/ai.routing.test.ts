import type { AiRun, HitlPolicyList } from '@omni/contracts/ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiCompatibleFake, type FakeOpenAiCompatible } from '../../../test/fakes/openai-compatible.js';
import { useFakeAiProvider } from '../../../test/factories/ai.js';
import { addMember, createSuperAdmin, registerTenant, switchScope, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/** HITL routing (docs/design/ai-agents.md §6) through the HTTP API, with the OpenAI-compatible fake as the model. */
describe('ai: human-in-the-loop routing', () => {
  let t: TestApp;
  let fake: FakeOpenAiCompatible;

  beforeAll(async () => {
    t = await createTestApp({ AI_BASE_URL_ALLOW_PRIVATE: 'true' });
    fake = await startOpenAiCompatibleFake();
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  async function tenantWithFakeProvider(): Promise<RegisteredTenant> {
    const tenant = await registerTenant(t.app);
    await useFakeAiProvider(t.app, tenant.token, fake);
    return tenant;
  }

  async function setPolicy(tenant: RegisteredTenant, policy: Record<string, unknown>) {
    const response = await request(t.app, {
      method: 'PUT',
      url: '/api/ai/hitl-policies',
      token: tenant.token,
      payload: { workflowType: 'content_generation', mode: 'below', threshold: 0.8, deadlineMinutes: 60, escalationRole: 'admin', onTimeout: 'reject', ...policy },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<HitlPolicyList>();
  }

  async function runCopywriter(tenant: RegisteredTenant, confidence: number, workflowType = 'content_generation'): Promise<AiRun> {
    fake.reply({ kind: 'object', value: { text: 'Fresh bread every morning.', hashtags: ['bakery'], confidence, explanation: 'Shorter and friendlier.' } });
    const response = await request(t.app, {
      method: 'POST',
      url: '/api/ai/agents/copywriter/runs',
      token: tenant.token,
      payload: { input: { text: 'We bake bread every morning.', network: 'facebook', tone: 'friendly' }, workflowType },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<AiRun>();
  }

  const getRun = async (tenant: RegisteredTenant, id: string) => (await request(t.app, { url: `/api/ai/runs/${id}`, token: tenant.token })).json<AiRun>();

  async function runDeadlineNow(runId: string) {
    const moved = await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`ai.deadline:${runId}`]);
    expect(moved.rowCount).toBe(1);
    await t.drainJobs();
  }

  it('below: a result under the threshold waits for review, one above is auto-approved with the policy recorded', async () => {
    const tenant = await tenantWithFakeProvider();
    await setPolicy(tenant, { mode: 'below', threshold: 0.8 });

    const confident = await runCopywriter(tenant, 0.91);
    expect(confident).toMatchObject({ status: 'approved', confidence: 0.91, decidedBy: null, provider: 'openai-compatible', approvalRequestId: null });
    expect(confident.decisionNote).toBe('auto: confidence 0.91 ≥ 0.80 (policy tenant/content_generation)');
    expect(confident.policy).toMatchObject({ source: 'tenant', mode: 'below', threshold: 0.8 });

    const unsure = await runCopywriter(tenant, 0.62);
    expect(unsure.status).toBe('awaiting_review');
    expect(unsure.approvalRequestId).not.toBeNull();
    const approval = await request(t.app, { url: `/api/approvals/${unsure.approvalRequestId}`, token: tenant.token });
    expect(approval.statusCode, approval.body).toBe(200);
    expect(approval.json()).toMatchObject({ subjectType: 'ai_run', subjectId: unsure.id, status: 'pending' });
  });

  it('always sends even a confident result to review; off approves even an unsure one', async () => {
    const tenant = await tenantWithFakeProvider();
    await setPolicy(tenant, { mode: 'always' });
    expect((await runCopywriter(tenant, 0.99)).status).toBe('awaiting_review');
    await setPolicy(tenant, { mode: 'off' });
    const auto = await runCopywriter(tenant, 0.1);
    expect(auto.status).toBe('approved');
    expect(auto.decisionNote).toMatch(/^auto: review off/);
  });

  it('a reviewer’s decision in the approvals inbox approves or rejects the run through the job', async () => {
    const tenant = await tenantWithFakeProvider();
    await setPolicy(tenant, { mode: 'always' });
    const reviewer = await addMember(t, tenant.token, { role: 'admin' });
    const reviewerToken = (await switchScope(t.app, reviewer.token, tenant.tenant.id, tenant.accountId)).accessToken;

    const approved = await runCopywriter(tenant, 0.7);
    const decided = await request(t.app, { method: 'POST', url: `/api/approvals/${approved.approvalRequestId}/decision`, token: reviewerToken, payload: { outcome: 'approved' } });
    expect(decided.statusCode, decided.body).toBe(200);
    await t.drainJobs();
    expect(await getRun(tenant, approved.id)).toMatchObject({ status: 'approved', decidedBy: reviewer.userId });

    const rejected = await runCopywriter(tenant, 0.7);
    await request(t.app, { method: 'POST', url: `/api/approvals/${rejected.approvalRequestId}/decision`, token: reviewerToken, payload: { outcome: 'rejected', note: 'Off brand' } });
    await t.drainJobs();
    const after = await getRun(tenant, rejected.id);
    expect(after).toMatchObject({ status: 'rejected', decidedBy: reviewer.userId });
    // The deadline job is gone: nothing is left to expire it later.
    expect((await t.owner.query(`SELECT 1 FROM graphile_worker._private_jobs WHERE key = $1`, [`ai.deadline:${rejected.id}`])).rowCount).toBe(0);

    // The person who asked for the AI work may review it themselves (unlike a post): recorded as theirs.
    const own = await runCopywriter(tenant, 0.7);
    const shown = await request(t.app, { url: `/api/approvals/${own.approvalRequestId}`, token: tenant.token });
    expect(shown.json()).toMatchObject({ canDecide: true });
    const self = await request(t.app, { method: 'POST', url: `/api/approvals/${own.approvalRequestId}/decision`, token: tenant.token, payload: { outcome: 'approved' } });
    expect(self.statusCode, self.body).toBe(200);
    await t.drainJobs();
    expect(await getRun(tenant, own.id)).toMatchObject({ status: 'approved', decidedBy: tenant.user.id });
  });

  it('the deadline rejects (expired), approves, or escalates once and then rejects', async () => {
    const tenant = await tenantWithFakeProvider();

    await setPolicy(tenant, { mode: 'always', onTimeout: 'reject' });
    const toReject = await runCopywriter(tenant, 0.5);
    await runDeadlineNow(toReject.id);
    const expired = await getRun(tenant, toReject.id);
    expect(expired).toMatchObject({ status: 'expired', decidedBy: null });
    expect(expired.decisionNote).toMatch(/deadline passed, rejected/);
    const withdrawn = await request(t.app, { url: `/api/approvals/${toReject.approvalRequestId}`, token: tenant.token });
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn' });

    await setPolicy(tenant, { mode: 'always', onTimeout: 'approve' });
    const toApprove = await runCopywriter(tenant, 0.5);
    await runDeadlineNow(toApprove.id);
    expect(await getRun(tenant, toApprove.id)).toMatchObject({ status: 'approved', decisionNote: 'auto: deadline passed, approved by policy' });

    await setPolicy(tenant, { mode: 'always', onTimeout: 'escalate' });
    const toEscalate = await runCopywriter(tenant, 0.5);
    await runDeadlineNow(toEscalate.id);
    const escalated = await getRun(tenant, toEscalate.id);
    expect(escalated.status).toBe('awaiting_review');
    expect(escalated.approvalRequestId).not.toBe(toEscalate.approvalRequestId);
    const second = await request(t.app, { url: `/api/approvals/${escalated.approvalRequestId}`, token: tenant.token });
    expect(second.json()).toMatchObject({ status: 'pending', subjectRevision: 2 });
    const notified = await t.owner.query(`SELECT user_id FROM notifications WHERE tenant_id = $1 AND kind = 'ai.review_escalated'`, [tenant.tenant.id]);
    expect(notified.rows.map((row) => row.user_id)).toEqual([tenant.user.id]);
    await runDeadlineNow(toEscalate.id);
    expect(await getRun(tenant, toEscalate.id)).toMatchObject({ status: 'expired', decisionNote: 'auto: deadline passed, rejected after escalation' });
  });

  it('a platform-locked policy rules and refuses tenant admins with 403 ai.policy_locked', async () => {
    const tenant = await tenantWithFakeProvider();
    const root = await createSuperAdmin(t);
    const lock = (locked: boolean, mode = 'always') =>
      request(t.app, {
        method: 'PUT',
        url: '/api/platform/ai/hitl-policies',
        token: root.token,
        payload: { workflowType: 'product_listing', mode, threshold: 0.8, deadlineMinutes: 1440, escalationRole: 'admin', onTimeout: 'reject', locked },
      });
    try {
      expect((await lock(true)).statusCode).toBe(200);
      const refused = await request(t.app, {
        method: 'PUT',
        url: '/api/ai/hitl-policies',
        token: tenant.token,
        payload: { workflowType: 'product_listing', mode: 'off', threshold: 0.5, deadlineMinutes: 60, escalationRole: 'admin', onTimeout: 'reject' },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ code: 'ai.policy_locked' });
      const listed = await request(t.app, { url: '/api/ai/hitl-policies', token: tenant.token });
      expect(listed.json<HitlPolicyList>().items.find((item) => item.workflowType === 'product_listing')).toMatchObject({ source: 'platform_locked', mode: 'always', locked: true });
      expect((await runCopywriter(tenant, 0.99, 'product_listing')).status).toBe('awaiting_review');
      const tenantOwnerOnPlatform = await request(t.app, { url: '/api/platform/ai/hitl-policies', token: tenant.token });
      expect(tenantOwnerOnPlatform.statusCode).toBe(403);
    } finally {
      // Leave the shared platform row as the default would route.
      await lock(false, 'below');
    }
  });
});
