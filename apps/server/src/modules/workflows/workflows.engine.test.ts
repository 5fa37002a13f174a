import type { WorkflowRunDetail } from '@omni/contracts/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executeJob } from '../../kernel/jobs/jobs.js';
import { registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createWorkflow, getRun, jobRunAt, manualDefinition, runJobNow, startRun, stepOf } from '../../../test/factories/workflows.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { StepFailure } from './step-failure.js';
import { replaceStepKind } from './steps/index.js';

/** The engine through the HTTP API and the real jobs (docs/design/workflows.md §4, §8). */
describe('workflows: the engine', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await registerTenant(t.app);
  });
  afterAll(() => t?.close());

  const notificationsTitled = async (title: string) =>
    (await t.owner.query<{ count: number }>('SELECT count(*)::int AS count FROM notifications WHERE tenant_id = $1 AND title = $2', [tenant.tenant.id, title])).rows[0]!.count;

  const notify = (id: string, title: string) => ({ id, kind: 'notify' as const, config: { to: 'role', role: 'editor', title } });

  async function finishedRun(runId: string): Promise<WorkflowRunDetail> {
    await t.drainJobs();
    return getRun(t, tenant.token, runId);
  }

  it('a condition takes exactly one port, and the other branch’s steps never run', async () => {
    const workflow = await createWorkflow(
      t,
      tenant.token,
      manualDefinition(
        [{ id: 'score', kind: 'condition', config: { expression: 'trigger.payload.score >= 70' } }, notify('hot', 'Hot lead {{ trigger.payload.name }}'), notify('cold', 'Cold lead {{ trigger.payload.name }}')],
        [['trigger', 'score'], ['score', 'true', 'hot'], ['score', 'false', 'cold']],
      ),
    );
    const hot = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { score: 82, name: 'Ada' } })).id);
    expect(hot.status).toBe('succeeded');
    expect(stepOf(hot, 'score')).toMatchObject({ status: 'succeeded', port: 'true', output: { result: true, value: true }, attempt: 1 });
    expect(stepOf(hot, 'hot')).toMatchObject({ status: 'succeeded', port: 'default', input: { title: 'Hot lead Ada' } });
    expect(stepOf(hot, 'cold')).toBeUndefined();
    expect(hot.steps).toHaveLength(2);

    const cold = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { score: 12, name: 'Bob' } })).id);
    expect(stepOf(cold, 'score')).toMatchObject({ port: 'false', output: { result: false } });
    expect(stepOf(cold, 'hot')).toBeUndefined();
    expect(stepOf(cold, 'cold')?.status).toBe('succeeded');
    expect(await notificationsTitled('Hot lead Ada')).toBe(1);
    expect(await notificationsTitled('Cold lead Bob')).toBe(1);
    expect(await notificationsTitled('Hot lead Bob')).toBe(0);
  });

  it('an expression that fails is not retried: the step fails and so does the run', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'check', kind: 'condition', config: { expression: '$number(trigger.payload.amount) > 3' } }, notify('after', 'never')], [['trigger', 'check'], ['check', 'true', 'after'], ['check', 'false', 'after']]));
    const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { amount: 'lots' } })).id);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('check:');
    expect(stepOf(run, 'check')).toMatchObject({ status: 'failed', attempt: 1, port: null, error: { code: 'workflows.expression_failed', retryable: false } });
    expect(stepOf(run, 'after')).toBeUndefined();
  });

  it('an expression that never ends is stopped by the time box and fails its step', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'spin', kind: 'condition', config: { expression: '( $spin := function($n) { $spin($n + 1) + 1 }; $spin(0) > 0 )' } }], [['trigger', 'spin']]));
    const started = Date.now();
    const run = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'spin')).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'workflows.expression_failed', retryable: false } });
    expect(stepOf(run, 'spin')!.error!.message).toMatch(/\(D101[12]\)/);
  });

  it('a delay parks the step as waiting with a job at its time, and the run goes on when it comes', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'pause', kind: 'delay', config: { amount: 2, unit: 'hours' } }, notify('later', 'Two hours later')], [['trigger', 'pause'], ['pause', 'later']]));
    const started = Date.now();
    const waiting = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
    expect(waiting.status).toBe('waiting');
    const pause = stepOf(waiting, 'pause')!;
    expect(pause.status).toBe('waiting');
    const until = new Date(pause.wait!.until!).getTime();
    expect(until).toBeGreaterThanOrEqual(started + 2 * 3600_000 - 1000);
    expect(until).toBeLessThan(Date.now() + 2 * 3600_000 + 1000);
    expect((await jobRunAt(t, `wf-resume:${pause.id}`))?.getTime()).toBe(until);
    expect(stepOf(waiting, 'later')).toBeUndefined();

    await runJobNow(t, `wf-resume:${pause.id}`);
    const done = await getRun(t, tenant.token, waiting.id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'pause')).toMatchObject({ status: 'succeeded', port: 'default', output: { waitedUntil: pause.wait!.until } });
    expect(stepOf(done, 'later')?.status).toBe('succeeded');
  });

  it('a run finishes on the version it started with, though the workflow was edited while it waited', async () => {
    const version1 = manualDefinition([{ id: 'pause', kind: 'delay', config: { amount: 1, unit: 'days' } }, notify('tell', 'Pinned v1')], [['trigger', 'pause'], ['pause', 'tell']]);
    const workflow = await createWorkflow(t, tenant.token, version1);
    const waiting = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
    expect(waiting.version).toBe(1);

    const version2 = manualDefinition([notify('only', 'Pinned v2')], [['trigger', 'only']]);
    const edited = await request(t.app, { method: 'PATCH', url: `/api/workflows/${workflow.id}`, token: tenant.token, payload: { definition: version2, expectedVersion: 1 } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().currentVersion).toBe(2);

    await runJobNow(t, `wf-resume:${stepOf(waiting, 'pause')!.id}`);
    const done = await getRun(t, tenant.token, waiting.id);
    expect(done).toMatchObject({ status: 'succeeded', version: 1 });
    expect(done.definition.nodes.map((node) => node.id)).toEqual(['pause', 'tell']);
    expect(stepOf(done, 'tell')).toMatchObject({ status: 'succeeded', input: { title: 'Pinned v1' } });
    expect(await notificationsTitled('Pinned v1')).toBe(1);

    const next = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
    expect(next).toMatchObject({ version: 2, status: 'succeeded' });
    expect(stepOf(next, 'only')?.status).toBe('succeeded');
  });

  describe('retries', () => {
    let calls: number;
    let failuresLeft: number;
    let restore: () => void;

    beforeAll(() => {
      // A flaky far end: the first `failuresLeft` calls fail retryably (a 503), then it answers.
      restore = replaceStepKind({
        kind: 'http_request',
        config: z.object({}),
        ports: ['default', 'error'],
        sideEffect: true,
        async execute() {
          calls += 1;
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            throw new StepFailure('test.unavailable', 'The far end answered 503.', { retryable: true });
          }
          return { outcome: 'done', output: { calls } };
        },
      });
    });
    afterAll(() => restore());

    const flakyWorkflow = (maxAttempts: number) =>
      createWorkflow(t, tenant.token, manualDefinition([{ id: 'call', kind: 'http_request', config: {}, retry: { maxAttempts, backoffSeconds: 5 } }, notify('after', 'after the call')], [['trigger', 'call'], ['call', 'after']]));

    it('a retryable failure is tried again with exponential backoff until it succeeds', async () => {
      calls = 0;
      failuresLeft = 2;
      const workflow = await flakyWorkflow(3);
      const run = await startRun(t, tenant.token, workflow.id);
      const stepId = run.steps[0]!.id;

      const failedAt = Date.now();
      let current = await finishedRun(run.id);
      expect(stepOf(current, 'call')).toMatchObject({ status: 'pending', attempt: 1, error: { code: 'test.unavailable', retryable: true } });
      expect(current.status).toBe('running');
      let next = (await jobRunAt(t, `wf-step:${stepId}`))!.getTime();
      expect(next - failedAt).toBeGreaterThanOrEqual(4_000);
      expect(next - Date.now()).toBeLessThanOrEqual(5_000);
      expect(new Date(stepOf(current, 'call')!.nextAttemptAt!).getTime()).toBe(next);

      await runJobNow(t, `wf-step:${stepId}`);
      const secondFailureAt = Date.now();
      current = await getRun(t, tenant.token, run.id);
      expect(stepOf(current, 'call')).toMatchObject({ status: 'pending', attempt: 2 });
      next = (await jobRunAt(t, `wf-step:${stepId}`))!.getTime();
      expect(next - secondFailureAt).toBeGreaterThanOrEqual(9_000);
      expect(next - Date.now()).toBeLessThanOrEqual(10_000);

      await runJobNow(t, `wf-step:${stepId}`);
      current = await getRun(t, tenant.token, run.id);
      expect(current.status).toBe('succeeded');
      expect(stepOf(current, 'call')).toMatchObject({ status: 'succeeded', attempt: 3, output: { calls: 3 }, error: null });
      expect(stepOf(current, 'after')?.status).toBe('succeeded');
      expect(calls).toBe(3);
    });

    it('when the attempts run out the step fails; a person’s retry runs it again and the run completes', async () => {
      calls = 0;
      failuresLeft = 2;
      const workflow = await flakyWorkflow(2);
      const run = await startRun(t, tenant.token, workflow.id);
      const stepId = run.steps[0]!.id;
      await t.drainJobs();
      await runJobNow(t, `wf-step:${stepId}`);
      const failed = await getRun(t, tenant.token, run.id);
      expect(failed.status).toBe('failed');
      expect(stepOf(failed, 'call')).toMatchObject({ status: 'failed', attempt: 2, error: { code: 'test.unavailable' } });
      expect(await jobRunAt(t, `wf-step:${stepId}`)).toBeNull();

      const notFailed = await request(t.app, { method: 'POST', url: `/api/workflows/runs/${run.id}/steps/${run.steps[0]!.id}/retry`, token: tenant.token });
      expect(notFailed.statusCode, notFailed.body).toBe(200);
      expect(notFailed.json<WorkflowRunDetail>()).toMatchObject({ status: 'running', finishedAt: null, error: null });
      const again = await request(t.app, { method: 'POST', url: `/api/workflows/runs/${run.id}/steps/${stepId}/retry`, token: tenant.token });
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('workflows.step_not_failed');

      const done = await finishedRun(run.id);
      expect(done.status).toBe('succeeded');
      expect(stepOf(done, 'call')).toMatchObject({ status: 'succeeded', attempt: 3 });
      expect(stepOf(done, 'after')?.status).toBe('succeeded');
    });
  });

  it('cancelling a waiting run cancels its steps and withdraws their jobs; a finished run cannot be cancelled', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'pause', kind: 'delay', config: { amount: 3, unit: 'days' } }, notify('never', 'Cancelled before')], [['trigger', 'pause'], ['pause', 'never']]));
    const waiting = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
    const pause = stepOf(waiting, 'pause')!;
    expect(await jobRunAt(t, `wf-resume:${pause.id}`)).not.toBeNull();

    const cancelled = await request(t.app, { method: 'POST', url: `/api/workflows/runs/${waiting.id}/cancel`, token: tenant.token });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<WorkflowRunDetail>()).toMatchObject({ status: 'cancelled' });
    expect(stepOf(cancelled.json<WorkflowRunDetail>(), 'pause')?.status).toBe('cancelled');
    expect(await jobRunAt(t, `wf-resume:${pause.id}`)).toBeNull();
    await t.drainJobs();
    expect((await getRun(t, tenant.token, waiting.id)).steps.map((step) => step.status)).toEqual(['cancelled']);

    const again = await request(t.app, { method: 'POST', url: `/api/workflows/runs/${waiting.id}/cancel`, token: tenant.token });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'workflows.run_finished', currentStatus: 'cancelled' });
  });

  it('the sweeper hands a step whose worker died (lease expired) to a new job, and it finishes once', async () => {
    const title = `Recovered ${Date.now()}`;
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([notify('tell', title)], [['trigger', 'tell']]));
    const run = await startRun(t, tenant.token, workflow.id);
    const stepId = run.steps[0]!.id;
    // A worker claimed the step and died: the step is running under its lease, the worker's job stays locked.
    await t.owner.query(`UPDATE workflow_step_runs SET status = 'running', attempt = 1, started_at = now(), lease_until = now() + interval '5 minutes' WHERE id = $1`, [stepId]);
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'dead-worker' WHERE key = $1`, [`wf-step:${stepId}`]);
    const sweep = () => executeJob(t.kernel, t.jobs.get('workflows.sweep')!, { tenantId: null, data: {} }, { jobId: 'sweep', attempt: 1 });

    await sweep();
    await t.drainJobs();
    expect(stepOf(await getRun(t, tenant.token, run.id), 'tell')).toMatchObject({ status: 'running', attempt: 1 });

    await t.owner.query(`UPDATE workflow_step_runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [stepId]);
    await sweep();
    await t.drainJobs();
    const done = await getRun(t, tenant.token, run.id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'tell')).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(await notificationsTitled(title)).toBe(1);

    // The dead worker's job, freed hours later by the queue, finds the step done and does nothing.
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL, attempts = 0 WHERE locked_by = 'dead-worker' AND payload->'data'->>'stepRunId' = $1`, [stepId]);
    await t.drainJobs();
    expect(stepOf(await getRun(t, tenant.token, run.id), 'tell')?.attempt).toBe(2);
    expect(await notificationsTitled(title)).toBe(1);
  });

  it('the sweeper gives a pending step whose job vanished a new one', async () => {
    const title = `Orphan ${Date.now()}`;
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([notify('tell', title)], [['trigger', 'tell']]));
    const run = await startRun(t, tenant.token, workflow.id);
    const stepId = run.steps[0]!.id;
    await t.owner.query('DELETE FROM graphile_worker._private_jobs WHERE key = $1', [`wf-step:${stepId}`]);
    await t.owner.query(`UPDATE workflow_step_runs SET due_at = now() - interval '2 minutes' WHERE id = $1`, [stepId]);
    await executeJob(t.kernel, t.jobs.get('workflows.sweep')!, { tenantId: null, data: {} }, { jobId: 'sweep', attempt: 1 });
    expect(await jobRunAt(t, `wf-step:${stepId}`)).not.toBeNull();
    expect((await finishedRun(run.id)).status).toBe('succeeded');
    expect(await notificationsTitled(title)).toBe(1);
  });

  it('the sweeper gives a step whose job a dead worker holds (killed before its claim or resume committed) a new one, once the lock is older than a lease', async () => {
    const title = `Held ${Date.now()}`;
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'pause', kind: 'delay', config: { amount: 1, unit: 'seconds' } }, notify('tell', title)], [['trigger', 'pause'], ['pause', 'tell']]));
    const run = await startRun(t, tenant.token, workflow.id);
    const pauseId = run.steps[0]!.id;
    const lease = t.kernel.config.WORKFLOW_STEP_LEASE_SECONDS;
    const sweep = () => executeJob(t.kernel, t.jobs.get('workflows.sweep')!, { tenantId: null, data: {} }, { jobId: 'sweep', attempt: 1 });
    const holdJob = (key: string, seconds: number) =>
      t.owner.query(`UPDATE graphile_worker._private_jobs SET locked_at = now() - $2::int * interval '1 second', locked_by = 'dead-worker', attempts = 1 WHERE key = $1`, [key, seconds]);

    // The step job was taken by a worker that died before its claim committed: the step is still pending.
    await holdJob(`wf-step:${pauseId}`, 5);
    await sweep();
    await t.drainJobs();
    expect(stepOf(await getRun(t, tenant.token, run.id), 'pause')).toMatchObject({ status: 'pending', attempt: 0 });
    await holdJob(`wf-step:${pauseId}`, lease + 5);
    await sweep();
    await t.drainJobs();
    expect(stepOf(await getRun(t, tenant.token, run.id), 'pause')).toMatchObject({ status: 'waiting', attempt: 1 });

    // Its resume job, due, was taken by a worker that died before the resume committed: the step still waits.
    await t.owner.query(`UPDATE graphile_worker._private_jobs SET run_at = now() - interval '5 seconds' WHERE key = $1`, [`wf-resume:${pauseId}`]);
    await t.owner.query(`UPDATE workflow_step_runs SET wait = jsonb_set(wait, '{until}', to_jsonb((now() - interval '5 seconds')::text)) WHERE id = $1`, [pauseId]);
    await holdJob(`wf-resume:${pauseId}`, 5);
    await sweep();
    await t.drainJobs();
    expect((await getRun(t, tenant.token, run.id)).status).toBe('waiting');
    await holdJob(`wf-resume:${pauseId}`, lease + 5);
    await sweep();
    const done = await finishedRun(run.id);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'pause')).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(await notificationsTitled(title)).toBe(1);
  });

  it('a loop through a delay comes back to its steps as a new iteration', async () => {
    const workflow = await createWorkflow(
      t,
      tenant.token,
      manualDefinition(
        [{ id: 'check', kind: 'condition', config: { expression: '$exists(steps.pause)' } }, { id: 'pause', kind: 'delay', config: { amount: 1, unit: 'minutes' } }, notify('done', 'Loop done')],
        [['trigger', 'check'], ['check', 'false', 'pause'], ['pause', 'check'], ['check', 'true', 'done']],
      ),
    );
    const waiting = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
    await runJobNow(t, `wf-resume:${stepOf(waiting, 'pause')!.id}`);
    const done = await getRun(t, tenant.token, waiting.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((step) => [step.nodeId, step.iteration, step.port])).toEqual([
      ['check', 0, 'false'],
      ['pause', 0, 'default'],
      ['check', 1, 'true'],
      ['done', 1, 'default'],
    ]);
  });

  it('a step two branches lead to runs once, when the first of them arrives', async () => {
    const title = `Joined ${Date.now()}`;
    const workflow = await createWorkflow(
      t,
      tenant.token,
      manualDefinition(
        [{ id: 'left', kind: 'condition', config: { expression: 'true' } }, { id: 'right', kind: 'condition', config: { expression: 'true' } }, notify('join', title)],
        [['trigger', 'left'], ['trigger', 'right'], ['left', 'true', 'join'], ['right', 'true', 'join']],
      ),
    );
    const run = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((step) => step.nodeId).sort()).toEqual(['join', 'left', 'right']);
    expect(await notificationsTitled(title)).toBe(1);
  });

  it('wait_until goes on at once for an instant past and waits for one to come', async () => {
    const workflow = await createWorkflow(
      t,
      tenant.token,
      manualDefinition(
        [{ id: 'past', kind: 'wait_until', config: { expression: 'trigger.payload.startsAt' } }, { id: 'future', kind: 'wait_until', config: { at: '2099-01-01T09:00:00+01:00' } }],
        [['trigger', 'past'], ['past', 'future']],
      ),
    );
    const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { startsAt: '2020-05-01T10:00:00Z' } })).id);
    expect(stepOf(run, 'past')).toMatchObject({ status: 'succeeded', output: { waitedUntil: '2020-05-01T10:00:00.000Z' } });
    expect(stepOf(run, 'future')).toMatchObject({ status: 'waiting', wait: { until: '2099-01-01T08:00:00.000Z' } });
    expect(run.status).toBe('waiting');
  });

  it('a test run notifies nobody: the notify step records whom it would have told', async () => {
    const title = `Dry ${Date.now()}`;
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'tell', kind: 'notify', config: { to: 'starter', title } }], [['trigger', 'tell']]), { active: false });
    const paused = await request(t.app, { method: 'POST', url: `/api/workflows/${workflow.id}/runs`, token: tenant.token, payload: {} });
    expect(paused.statusCode).toBe(409);
    expect(paused.json().code).toBe('workflows.not_active');

    const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { test: true })).id);
    expect(run).toMatchObject({ status: 'succeeded', test: true, startedBy: tenant.user.id });
    expect(stepOf(run, 'tell')).toMatchObject({ status: 'succeeded', output: { dryRun: true, recipients: [tenant.user.id], notified: 0 }, input: { title } });
    expect(await notificationsTitled(title)).toBe(0);
  });
});
