import type { AiRun } from '@omni/contracts/ai';
import type { WorkflowRunDetail } from '@omni/contracts/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../kernel/db/tenancy.js';
import { executeJob } from '../../kernel/jobs/jobs.js';
import { enqueueSignal } from './engine/signals.js';
import { emitEvent } from '../../kernel/events/events.js';
import { startOpenAiCompatibleFake, type FakeOpenAiCompatible } from '../../../test/fakes/openai-compatible.js';
import { setHitlPolicy, useFakeAiProvider } from '../../../test/factories/ai.js';
import { addMember, registerTenant, switchScope, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createWorkflow, getRun, jobRunAt, manualDefinition, runJobNow, startRun, stepOf } from '../../../test/factories/workflows.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/** Steps that park until something outside the run happens (docs/design/workflows.md §3, §4, §8). */
describe('workflows: approval, AI agent and event waits', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;
  let reviewerToken: string;
  let reviewerId: string;

  let fake: FakeOpenAiCompatible;

  beforeAll(async () => {
    t = await createTestApp({ AI_BASE_URL_ALLOW_PRIVATE: 'true' });
    fake = await startOpenAiCompatibleFake();
    tenant = await registerTenant(t.app);
    const reviewer = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    reviewerId = reviewer.userId;
    reviewerToken = (await switchScope(t.app, reviewer.token, tenant.tenant.id, tenant.accountId)).accessToken;
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  const notify = (id: string, title: string) => ({ id, kind: 'notify' as const, config: { to: 'role', role: 'editor', title } });

  async function settledRun(runId: string, token = tenant.token): Promise<WorkflowRunDetail> {
    await t.drainJobs();
    return getRun(t, token, runId);
  }

  const getApproval = async (id: string, token = tenant.token) => {
    const response = await request(t.app, { url: `/api/approvals/${id}`, token });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ status: string; subjectType: string; subjectId: string; summary: string; preview: { title: string; variants: Array<{ text: string; link: string | null }> } | null; subject: { title: string; linkPath: string } | null }>();
  };

  const decide = (id: string, outcome: string, token = reviewerToken) => request(t.app, { method: 'POST', url: `/api/approvals/${id}/decision`, token, payload: { outcome } });

  // ------------------------------------------------------------------------------------------ approval

  const approvalWorkflow = (config: Record<string, unknown> = {}) =>
    createWorkflow(
      t,
      tenant.token,
      manualDefinition(
        [
          { id: 'ask', kind: 'approval', config: { title: 'Publish “{{ trigger.payload.topic }}”?', body: 'Draft: {{ trigger.payload.text }}', deadlineMinutes: 90, ...config } },
          notify('yes', 'Approved {{ trigger.payload.topic }}'),
          notify('no', 'Rejected {{ trigger.payload.topic }}'),
          notify('late', 'Nobody decided {{ trigger.payload.topic }}'),
        ],
        [['trigger', 'ask'], ['ask', 'approved', 'yes'], ['ask', 'rejected', 'no'], ['ask', 'timeout', 'late']],
      ),
    );

  async function waitingApproval(topic: string, config: Record<string, unknown> = {}) {
    const workflow = await approvalWorkflow(config);
    const started = Date.now();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { topic, text: `All about ${topic}` } })).id);
    const ask = stepOf(run, 'ask')!;
    return { run, ask, started, requestId: ask.wait!.approvalRequestId! };
  }

  it('an approval step asks in the inbox and parks; another member’s approval takes the approved port', async () => {
    const { run, ask, started, requestId } = await waitingApproval('spring sale');
    expect(run.status).toBe('waiting');
    expect(ask.status).toBe('waiting');
    expect(ask.wait).toMatchObject({ until: null, eventType: null, aiRunId: null });
    const timeoutAt = new Date(ask.wait!.timeoutAt!).getTime();
    expect(timeoutAt).toBeGreaterThanOrEqual(started + 90 * 60_000 - 1000);
    expect(timeoutAt).toBeLessThan(Date.now() + 90 * 60_000 + 1000);
    expect((await jobRunAt(t, `wf-resume:${ask.id}`))?.getTime()).toBe(timeoutAt);
    expect(ask.input).toMatchObject({ title: 'Publish “spring sale”?', body: 'Draft: All about spring sale', requestId });

    const approval = await getApproval(requestId, reviewerToken);
    expect(approval).toMatchObject({ status: 'pending', subjectType: 'workflow_step', subjectId: ask.id, summary: 'Publish “spring sale”?' });
    expect(approval.subject).toEqual({ title: 'Publish “spring sale”?', linkPath: `/workflows/runs/${run.id}` });
    expect(approval.preview!.variants[0]).toMatchObject({ text: 'Draft: All about spring sale', link: `/workflows/runs/${run.id}` });

    // The person who started the run does not approve their own request.
    const own = await decide(requestId, 'approved', tenant.token);
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json().code).toBe('approvals.self_approval');

    const decided = await decide(requestId, 'approved');
    expect(decided.statusCode, decided.body).toBe(200);
    const done = await settledRun(run.id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'ask')).toMatchObject({ status: 'succeeded', port: 'approved', wait: null, output: { outcome: 'approved', requestId, decidedBy: { kind: 'user', userId: reviewerId } } });
    expect(stepOf(done, 'yes')).toMatchObject({ status: 'succeeded', input: { title: 'Approved spring sale' } });
    expect(stepOf(done, 'no')).toBeUndefined();
    expect(stepOf(done, 'late')).toBeUndefined();
    // The deadline's job went with the decision: nothing is left to time the step out later.
    expect(await jobRunAt(t, `wf-resume:${ask.id}`)).toBeNull();
  });

  it('a rejection, and changes requested, take the rejected port', async () => {
    for (const outcome of ['rejected', 'changes_requested']) {
      const { run, requestId } = await waitingApproval(`topic ${outcome}`);
      expect((await decide(requestId, outcome)).statusCode).toBe(200);
      const done = await settledRun(run.id);
      expect(done.status).toBe('succeeded');
      expect(stepOf(done, 'ask')).toMatchObject({ port: 'rejected', output: { outcome } });
      expect(stepOf(done, 'no')?.status).toBe('succeeded');
      expect(stepOf(done, 'yes')).toBeUndefined();
    }
  });

  it('at the deadline the request is withdrawn and the step times out; a late decision is refused', async () => {
    const { run, ask, requestId } = await waitingApproval('deadline');
    await runJobNow(t, `wf-resume:${ask.id}`);
    const done = await getRun(t, tenant.token, run.id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'ask')).toMatchObject({ port: 'timeout', output: { outcome: 'timeout', requestId, decidedBy: null } });
    expect(stepOf(done, 'late')?.status).toBe('succeeded');
    expect((await getApproval(requestId)).status).toBe('withdrawn');
    const late = await decide(requestId, 'approved');
    expect(late.statusCode).toBe(409);
    await t.drainJobs();
    expect(stepOf(await getRun(t, tenant.token, run.id), 'yes')).toBeUndefined();
  });

  it('onTimeout approve takes the approved port at the deadline; without a deadline the HITL policy sets it', async () => {
    await setHitlPolicy(t.app, tenant.token, { workflowType: 'content_generation', deadlineMinutes: 30 });
    const { run, ask, started } = await waitingApproval('policy deadline', { deadlineMinutes: null, onTimeout: 'approve' });
    const timeoutAt = new Date(ask.wait!.timeoutAt!).getTime();
    expect(timeoutAt).toBeGreaterThanOrEqual(started + 30 * 60_000 - 1000);
    expect(timeoutAt).toBeLessThan(Date.now() + 30 * 60_000 + 1000);
    await runJobNow(t, `wf-resume:${ask.id}`);
    const done = await getRun(t, tenant.token, run.id);
    expect(stepOf(done, 'ask')).toMatchObject({ port: 'approved', output: { outcome: 'timeout' } });
    expect(stepOf(done, 'yes')?.status).toBe('succeeded');
    expect(stepOf(done, 'late')).toBeUndefined();
  });

  it('a signal job a dead worker held is run again by the sweeper once its lock is older than a lease', async () => {
    const { run, ask, requestId } = await waitingApproval('held signal');
    const tenantId = tenant.tenant.id;
    await withTenant({ db: t.kernel.db, tenantId }, (tx) =>
      enqueueSignal(tx, tenantId, { stepRunId: ask.id, waitKey: 'approvalRequestId', waitValue: requestId, signal: { port: 'approved', output: { outcome: 'approved', requestId } } }),
    );
    const hold = (seconds: number) =>
      t.owner.query(
        `UPDATE graphile_worker._private_jobs j SET locked_at = now() - $2::int * interval '1 second', locked_by = 'dead-worker'
           FROM graphile_worker._private_tasks k WHERE k.id = j.task_id AND k.identifier = 'workflows.signal' AND j.payload->'data'->>'stepRunId' = $1`,
        [ask.id, seconds],
      );
    const sweep = () => executeJob(t.kernel, t.jobs.get('workflows.sweep')!, { tenantId: null, data: {} }, { jobId: 'sweep', attempt: 1 });
    expect((await hold(5)).rowCount).toBe(1);
    await sweep();
    expect((await settledRun(run.id)).status).toBe('waiting');
    await hold(t.kernel.config.WORKFLOW_STEP_LEASE_SECONDS + 5);
    await sweep();
    const done = await settledRun(run.id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'ask')).toMatchObject({ status: 'succeeded', port: 'approved' });
  });

  it('cancelling the run withdraws its open approval request and its deadline', async () => {
    const { run, ask, requestId } = await waitingApproval('cancelled');
    const cancelled = await request(t.app, { method: 'POST', url: `/api/workflows/runs/${run.id}/cancel`, token: tenant.token });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(stepOf(cancelled.json<WorkflowRunDetail>(), 'ask')?.status).toBe('cancelled');
    expect((await getApproval(requestId)).status).toBe('withdrawn');
    expect(await jobRunAt(t, `wf-resume:${ask.id}`)).toBeNull();
    expect((await decide(requestId, 'approved')).statusCode).toBe(409);
  });

  it('an approval for admins refuses an editor’s decision and takes an admin’s', async () => {
    const admin = await addMember(t, tenant.token, { role: 'admin', accountId: tenant.accountId });
    const adminToken = (await switchScope(t.app, admin.token, tenant.tenant.id, tenant.accountId)).accessToken;
    const { run, requestId } = await waitingApproval('admins only', { role: 'admin' });
    // The inbox and the detail tell the editor up front, not only by refusing the decision.
    const canDecideAs = async (token: string) => {
      const detail = await request(t.app, { url: `/api/approvals/${requestId}`, token });
      const list = await request(t.app, { url: `/api/approvals?status=pending&subjectType=workflow_step`, token });
      return [detail.json<{ canDecide: boolean }>().canDecide, list.json<{ items: Array<{ id: string; canDecide: boolean }> }>().items.find((item) => item.id === requestId)?.canDecide];
    };
    expect(await canDecideAs(reviewerToken)).toEqual([false, false]);
    expect(await canDecideAs(adminToken)).toEqual([true, true]);
    const byEditor = await decide(requestId, 'approved');
    expect(byEditor.statusCode, byEditor.body).toBe(403);
    expect(byEditor.json().code).toBe('approvals.admin_required');
    expect((await decide(requestId, 'approved', adminToken)).statusCode).toBe(200);
    expect(stepOf(await settledRun(run.id), 'ask')).toMatchObject({ port: 'approved', output: { decidedBy: { userId: admin.userId } } });
  });

  it('a test run asks nobody: the approval step records what it would ask and takes approved', async () => {
    const workflow = await approvalWorkflow();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { topic: 'dry', text: 'x' }, test: true })).id);
    expect(run.status).toBe('succeeded');
    expect(stepOf(run, 'ask')).toMatchObject({ port: 'approved', input: { title: 'Publish “dry”?' }, output: { dryRun: true, requestId: null } });
    const requests = await t.owner.query(`SELECT 1 FROM approval_requests WHERE subject_id = $1`, [stepOf(run, 'ask')!.id]);
    expect(requests.rowCount).toBe(0);
  });

  // ------------------------------------------------------------------------------------------ ai_agent

  const copywriterWorkflow = () =>
    createWorkflow(
      t,
      tenant.token,
      manualDefinition(
        [
          { id: 'write', kind: 'ai_agent', config: { agent: 'copywriter', input: { text: 'Fresh {{ trigger.payload.product }} every morning at our bakery in Berlin.', network: 'x', tone: 'bold' } } },
          notify('publish', 'Copy ready: {{ steps.write.output.runId }}'),
          notify('redo', 'Copy rejected'),
        ],
        [['trigger', 'write'], ['write', 'publish'], ['write', 'review_rejected', 'redo']],
      ),
    );

  const getAiRun = async (id: string) => (await request(t.app, { url: `/api/ai/runs/${id}`, token: tenant.token })).json<AiRun>();

  it('ai_agent under review off: the queued run is approved at once and the step leaves by default with output and confidence', async () => {
    await setHitlPolicy(t.app, tenant.token, { workflowType: 'content_generation', mode: 'off' });
    const workflow = await copywriterWorkflow();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { product: 'sourdough' } })).id);
    expect(run.status).toBe('succeeded');
    const write = stepOf(run, 'write')!;
    expect(write).toMatchObject({ status: 'succeeded', port: 'default', input: { agent: 'copywriter', workflowType: 'content_generation', input: { text: 'Fresh sourdough every morning at our bakery in Berlin.' } } });
    const output = write.output as { output: { text: string }; confidence: number; runId: string };
    expect(typeof output.output.text).toBe('string');
    expect(output.confidence).toBeGreaterThan(0);
    expect(output.confidence).toBeLessThanOrEqual(0.6);
    const aiRun = await getAiRun(output.runId);
    expect(aiRun).toMatchObject({ status: 'approved', agent: 'copywriter', confidence: output.confidence });
    expect(stepOf(run, 'publish')).toMatchObject({ status: 'succeeded', input: { title: `Copy ready: ${output.runId}` } });
    expect(stepOf(run, 'redo')).toBeUndefined();
  });

  it('ai_agent under review always: the step waits for the inbox; approved → default, rejected → review_rejected', async () => {
    await setHitlPolicy(t.app, tenant.token, { workflowType: 'content_generation', mode: 'always' });
    const workflow = await copywriterWorkflow();
    for (const outcome of ['approved', 'rejected'] as const) {
      const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { product: `rye ${outcome}` } })).id);
      expect(run.status).toBe('waiting');
      const write = stepOf(run, 'write')!;
      expect(write.status).toBe('waiting');
      const runId = write.wait!.aiRunId!;
      const aiRun = await getAiRun(runId);
      expect(aiRun.status).toBe('awaiting_review');
      expect((await decide(aiRun.approvalRequestId!, outcome)).statusCode).toBe(200);
      const done = await settledRun(run.id);
      expect(done.status).toBe('succeeded');
      if (outcome === 'approved') {
        expect(stepOf(done, 'write')).toMatchObject({ port: 'default', output: { runId, confidence: aiRun.confidence, output: aiRun.output } });
        expect(stepOf(done, 'publish')?.status).toBe('succeeded');
      } else {
        expect(stepOf(done, 'write')).toMatchObject({ port: 'review_rejected', output: { runId, outcome: 'rejected', decidedBy: reviewerId } });
        expect(stepOf(done, 'redo')?.status).toBe('succeeded');
        expect(stepOf(done, 'publish')).toBeUndefined();
      }
    }
  });

  it('cancelling a run whose ai_agent step waits for review withdraws the review request and rejects the AI run', async () => {
    await setHitlPolicy(t.app, tenant.token, { workflowType: 'content_generation', mode: 'always' });
    const workflow = await copywriterWorkflow();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { product: 'spelt' } })).id);
    const runId = stepOf(run, 'write')!.wait!.aiRunId!;
    const waiting = await getAiRun(runId);
    expect(waiting.status).toBe('awaiting_review');
    const cancelled = await request(t.app, { method: 'POST', url: `/api/workflows/runs/${run.id}/cancel`, token: tenant.token });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(stepOf(cancelled.json<WorkflowRunDetail>(), 'write')?.status).toBe('cancelled');
    expect((await getApproval(waiting.approvalRequestId!)).status).toBe('withdrawn');
    expect(await getAiRun(runId)).toMatchObject({ status: 'rejected' });
    expect(await jobRunAt(t, `ai.deadline:${runId}`)).toBeNull();
    expect((await decide(waiting.approvalRequestId!, 'approved')).statusCode).toBe(409);
    const done = await settledRun(run.id);
    expect(done.status).toBe('cancelled');
    expect(stepOf(done, 'redo')).toBeUndefined();
  });

  it('an AI run that fails takes the error port when one is connected, and fails the step and run otherwise', async () => {
    const failing = await registerTenant(t.app);
    await useFakeAiProvider(t.app, failing.token, fake);
    const definition = (withErrorEdge: boolean) =>
      manualDefinition(
        [{ id: 'write', kind: 'ai_agent', config: { agent: 'copywriter', input: { text: 'We bake bread every morning.', network: 'x', tone: 'bold' } } }, notify('publish', 'Copy ready'), notify('oops', 'The AI failed')],
        [['trigger', 'write'], ['write', 'publish'], ...(withErrorEdge ? ([['write', 'error', 'oops']] as Array<[string, string, string]>) : ([['write', 'review_rejected', 'oops']] as Array<[string, string, string]>))],
      );
    for (const withErrorEdge of [true, false]) {
      const workflow = await createWorkflow(t, failing.token, definition(withErrorEdge));
      fake.reply({ kind: 'unauthorized' });
      const run = await settledRun((await startRun(t, failing.token, workflow.id)).id, failing.token);
      const write = stepOf(run, 'write')!;
      expect(write.status).toBe('failed');
      expect(write.error).toMatchObject({ code: expect.stringMatching(/^ai\./), retryable: false });
      expect(stepOf(run, 'publish')).toBeUndefined();
      if (withErrorEdge) {
        expect(run.status).toBe('succeeded');
        expect(write.port).toBe('error');
        expect(stepOf(run, 'oops')?.status).toBe('succeeded');
      } else {
        expect(run.status).toBe('failed');
        expect(write.port).toBeNull();
        expect(stepOf(run, 'oops')).toBeUndefined();
      }
    }
  });

  it('ai_agent in a test run queues nothing and records what it would run', async () => {
    const workflow = await copywriterWorkflow();
    const count = async () => (await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM ai_runs WHERE tenant_id = $1', [tenant.tenant.id])).rows[0]!.n;
    const before = await count();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { product: 'pretzels' }, test: true })).id);
    expect(stepOf(run, 'write')).toMatchObject({ port: 'default', output: { dryRun: true, agent: 'copywriter', input: { text: 'Fresh pretzels every morning at our bakery in Berlin.' } } });
    expect(await count()).toBe(before);
  });

  it('an unknown agent and an input template that does not parse are problems of the definition', async () => {
    const response = await request(t.app, {
      method: 'POST',
      url: '/api/workflows',
      token: tenant.token,
      payload: { name: 'Bad agent', definition: manualDefinition([{ id: 'write', kind: 'ai_agent', config: { agent: 'ghostwriter', input: { text: '{{ trigger.nope' } } }], [['trigger', 'write']]) },
    });
    expect(response.statusCode, response.body).toBe(422);
    const issues = response.json<{ issues: Array<{ path: string; message: string }> }>().issues;
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'nodes.0.config.agent', message: 'There is no AI agent "ghostwriter".' }), expect.objectContaining({ path: 'nodes.0.config.input.text' })]));
  });

  // ------------------------------------------------------------------------------------------ wait_event

  const emit = (tenantId: string, payload: Record<string, unknown>, type = 'content.post_published') =>
    withTenant({ db: t.kernel.db, tenantId }, (tx) => emitEvent(tx, { tenantId, type, payload }));

  const eventWorkflow = (token = tenant.token) =>
    createWorkflow(
      t,
      token,
      manualDefinition(
        [
          { id: 'published', kind: 'wait_event', config: { eventType: 'content.post_published', match: 'event.postId = trigger.payload.postId', timeoutMinutes: 120 } },
          notify('after', 'Post {{ steps.published.output.postId }} is out'),
          notify('gave_up', 'Gave up'),
        ],
        [['trigger', 'published'], ['published', 'after'], ['published', 'timeout', 'gave_up']],
      ),
    );

  const waitRows = async (stepRunId: string) => (await t.owner.query('SELECT 1 FROM workflow_event_waits WHERE step_run_id = $1', [stepRunId])).rowCount;

  it('wait_event resumes on the first matching event of the tenant (not on others), with the payload as output', async () => {
    const workflow = await eventWorkflow();
    const postId = crypto.randomUUID();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { postId } })).id);
    const step = stepOf(run, 'published')!;
    expect(step).toMatchObject({ status: 'waiting', wait: { eventType: 'content.post_published', until: null } });
    expect(await waitRows(step.id)).toBe(1);

    await emit(tenant.tenant.id, { postId: crypto.randomUUID(), accountId: tenant.accountId });
    await emit(tenant.tenant.id, { postId }, 'content.post_scheduled');
    expect(stepOf(await settledRun(run.id), 'published')?.status).toBe('waiting');

    // Two matching events at once: the first one counts.
    await withTenant({ db: t.kernel.db, tenantId: tenant.tenant.id }, async (tx) => {
      await emitEvent(tx, { tenantId: tenant.tenant.id, type: 'content.post_published', payload: { postId, order: 1 } });
      await emitEvent(tx, { tenantId: tenant.tenant.id, type: 'content.post_published', payload: { postId, order: 2 } });
    });
    const done = await settledRun(run.id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'published')).toMatchObject({ status: 'succeeded', port: 'default', output: { postId, order: 1 } });
    expect(stepOf(done, 'after')).toMatchObject({ status: 'succeeded', input: { title: `Post ${postId} is out` } });
    expect(await waitRows(step.id)).toBe(0);
    expect(await jobRunAt(t, `wf-resume:${step.id}`)).toBeNull();
  });

  it('wait_event times out through the timeout port and lets go of its wait', async () => {
    const workflow = await eventWorkflow();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { postId: crypto.randomUUID() } })).id);
    const step = stepOf(run, 'published')!;
    await runJobNow(t, `wf-resume:${step.id}`);
    const done = await getRun(t, tenant.token, run.id);
    expect(stepOf(done, 'published')).toMatchObject({ port: 'timeout', output: { timedOut: true } });
    expect(stepOf(done, 'gave_up')?.status).toBe('succeeded');
    expect(await waitRows(step.id)).toBe(0);
  });

  it('a match that names something outside the data is a problem of the definition', async () => {
    const saved = await request(t.app, {
      method: 'POST',
      url: '/api/workflows',
      token: tenant.token,
      payload: { name: 'Bad match', definition: manualDefinition([{ id: 'wait', kind: 'wait_event', config: { eventType: 'content.post_published', match: 'evnt.postId = trigger.payload.postId' } }], [['trigger', 'wait']]) },
    });
    expect(saved.statusCode, saved.body).toBe(422);
    expect(saved.json().issues).toEqual([expect.objectContaining({ nodeId: 'wait', path: 'nodes.0.config.match', message: expect.stringContaining('Unknown name "evnt"') })]);
  });

  it('the sweeper gives a parked step whose overdue timeout job vanished a new one', async () => {
    const { run, ask } = await waitingApproval('swept');
    await t.owner.query('DELETE FROM graphile_worker._private_jobs WHERE key = $1', [`wf-resume:${ask.id}`]);
    await t.owner.query(`UPDATE workflow_step_runs SET wait = jsonb_set(wait, '{timeoutAt}', to_jsonb((now() - interval '2 minutes')::text)) WHERE id = $1`, [ask.id]);
    await executeJob(t.kernel, t.jobs.get('workflows.sweep')!, { tenantId: null, data: {} }, { jobId: 'sweep', attempt: 1 });
    expect(await jobRunAt(t, `wf-resume:${ask.id}`)).not.toBeNull();
    const done = await settledRun(run.id);
    expect(stepOf(done, 'ask')).toMatchObject({ port: 'timeout' });
    expect(stepOf(done, 'late')?.status).toBe('succeeded');
  });

  it('another tenant’s event never resumes a wait, even with the same payload', async () => {
    const other = await registerTenant(t.app);
    const workflow = await eventWorkflow();
    const postId = crypto.randomUUID();
    const run = await settledRun((await startRun(t, tenant.token, workflow.id, { input: { postId } })).id);
    await emit(other.tenant.id, { postId });
    await t.drainJobs();
    const still = await getRun(t, tenant.token, run.id);
    expect(stepOf(still, 'published')?.status).toBe('waiting');
    // The other tenant's own wait is resumed by its own event only.
    const otherWorkflow = await eventWorkflow(other.token);
    const otherRun = await settledRun((await startRun(t, other.token, otherWorkflow.id, { input: { postId } })).id, other.token);
    await emit(other.tenant.id, { postId });
    expect(stepOf(await settledRun(otherRun.id, other.token), 'published')?.port).toBe('default');
    expect(stepOf(await getRun(t, tenant.token, run.id), 'published')?.status).toBe('waiting');
  });
});
