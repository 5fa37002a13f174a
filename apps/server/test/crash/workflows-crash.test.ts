import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowDefinitionInput } from '@omni/contracts/workflows';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant } from '../factories/tenancy.js';
import { manualDefinition } from '../factories/workflows.js';
import { request } from '../harness.js';
import { sleep, startCrashApp, type CrashApp } from './crash-app.js';
import { connectSandbox, publicUrl } from './crash-networks.js';
import { repeatUntil, type WorkerProcesses } from './worker-processes.js';

/**
 * The workflow engine's crash proof (issue 7, docs/design/workflows.md §8). 3 tenants each have a workflow
 * of five steps: an HTTP call to a local far end, a 1 s delay, a condition on the run's index, then a post
 * (even runs) or an email (odd runs), then a second HTTP call both branches lead to. 240 manual runs start
 * through the API over 20 s while real worker processes (the CLI's `worker` role, 3 of them) are SIGKILLed
 * and restarted every 1–3 s; the far end answers each call 200 ms after taking it (so kills land mid-call)
 * and answers the first call of every seventh key with a 503 (a retry). Once no run is running or waiting
 * any more, every run must have succeeded with each of its steps exactly once: one post per post step
 * (found by its source step run) and one email per email step (by the marker in its subject), and every
 * HTTP step's Idempotency-Key seen by the far end (at least once: the documented contract for the far end)
 * with the step's single output being that key's answer.
 *
 * Nothing is timed: the phases only bound how long we wait. The test runs in its own database (see
 * crash-database.ts) and enqueues the minute sweep every 5 s (the cron schedule would only make it longer).
 * The step lease is at its minimum (30 s: no step may run longer than its lease, and an HTTP step may take
 * 30 s), so what a killed worker held is taken over 30–35 s later; each tenant has 16 lanes so that the
 * lanes a kill leaves locked for that long do not stall the tenant.
 */

const tenantCount = 3;
const runCount = 240;
const workerCount = 3;
/** Runs start over this window, through the API, once the workers have been spawned. */
const startSpreadMs = 20_000;
/** The far end answers each call this long after taking it, so kills land mid-call. */
const farEndLatencyMs = 200;
/** Kills go on this long after the last run started, and until this many kills. */
const chaosAfterLastStartMs = 10_000;
const minimumKills = 10;
/** How long the runs may take to finish after the last kill before the test calls them stuck. */
const quietDeadlineMs = 150_000;
const sweepEveryMs = 5_000;

/** Engine settings for the test's app and the workers alike. */
const engineSettings = {
  WORKFLOW_STEP_LEASE_SECONDS: '30',
  WORKFLOW_TENANT_CONCURRENCY: '16',
  // The far end listens on loopback.
  WORKFLOW_HTTP_ALLOW_PRIVATE: 'true',
};

type CrashTenant = { token: string; tenantId: string; workflowId: string };
type FarEnd = { url: string; calls: Map<string, number>; close(): Promise<void> };
type StepRecord = { id: string; run_id: string; node_id: string; iteration: number; status: string; attempt: number; output: { body?: { key?: string; path?: string } } | null; port: string | null };

/**
 * The far end of the HTTP steps: counts calls by Idempotency-Key, answers 200 with {key, path} after
 * `farEndLatencyMs`, except the first call of every seventh new key, which gets a 503 (Retry-After: 1).
 */
async function startFarEnd(): Promise<FarEnd> {
  const calls = new Map<string, number>();
  let keys = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      const keyText = typeof key === 'string' ? key : '';
      const seen = calls.get(keyText) ?? 0;
      calls.set(keyText, seen + 1);
      if (seen === 0) keys += 1;
      const failFirst = seen === 0 && keys % 7 === 0;
      setTimeout(() => {
        if (failFirst) {
          res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' });
          res.end('busy');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ key: keyText, path: req.url }));
      }, farEndLatencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** call → pause (1 s) → check (even index?) → post | mail → done; every step retries up to 10 times, 1 s apart. */
function crashDefinition(farEndUrl: string, sandboxConnectionId: string): WorkflowDefinitionInput {
  const retry = { maxAttempts: 10, backoffSeconds: 1 };
  return manualDefinition(
    [
      { id: 'call', kind: 'http_request', retry, config: { method: 'POST', url: `${farEndUrl}/leads/{{ trigger.payload.marker }}`, bodyExpression: '{"index": trigger.payload.index}' } },
      { id: 'pause', kind: 'delay', retry, config: { amount: 1, unit: 'seconds' } },
      { id: 'check', kind: 'condition', retry, config: { expression: 'trigger.payload.index % 2 = 0' } },
      { id: 'post', kind: 'create_post', retry, config: { text: 'Fresh bread {{ trigger.payload.marker }}', connectionIds: [sandboxConnectionId] } },
      { id: 'mail', kind: 'send_email', retry, config: { to: 'lead-{{ trigger.payload.index }}@example.test', subject: 'Welcome {{ trigger.payload.marker }}', body: 'Thanks for asking.' } },
      { id: 'done', kind: 'http_request', retry, config: { method: 'POST', url: `${farEndUrl}/done/{{ trigger.payload.marker }}`, body: 'done' } },
    ],
    [
      ['trigger', 'call'],
      ['call', 'pause'],
      ['pause', 'check'],
      ['check', 'true', 'post'],
      ['check', 'false', 'mail'],
      ['post', 'done'],
      ['mail', 'done'],
    ],
  );
}

describe('workflows under worker crashes', () => {
  let crash: CrashApp | undefined;
  let farEnd: FarEnd;
  let app: FastifyInstance;
  let owner: pg.Pool;
  let workers: WorkerProcesses | undefined;
  const tenants: CrashTenant[] = [];
  const testRunId = randomBytes(4).toString('hex');

  beforeAll(async () => {
    farEnd = await startFarEnd();
    crash = await startCrashApp({ PUBLIC_URL: publicUrl, ...engineSettings });
    ({ app, owner } = crash);

    for (let index = 0; index < tenantCount; index += 1) {
      const registered = await registerTenant(app);
      const sandbox = await connectSandbox(app, registered.token, `Tenant ${index} sandbox`);
      const created = await request(app, {
        method: 'POST',
        url: '/api/workflows',
        token: registered.token,
        payload: { name: `Crash ${index}`, definition: crashDefinition(farEnd.url, sandbox), active: true },
      });
      if (created.statusCode !== 201) throw new Error(`create workflow: ${created.statusCode} ${created.body}`);
      tenants.push({ token: registered.token, tenantId: registered.tenant.id, workflowId: created.json<{ id: string }>().id });
    }
  }, 600_000); // with the wait for another crash test's turn (crash-database.ts)

  afterAll(async () => {
    await crash?.close();
    await farEnd?.close();
  }, 60_000);

  async function startRun(index: number): Promise<void> {
    const tenant = tenants[index % tenantCount]!;
    const response = await request(app, {
      method: 'POST',
      url: `/api/workflows/${tenant.workflowId}/runs`,
      token: tenant.token,
      payload: { input: { index, marker: `crash-${testRunId}-${index}` } },
    });
    if (response.statusCode !== 201) throw new Error(`start run ${index}: ${response.statusCode} ${response.body}`);
  }

  async function countUnfinished(): Promise<number> {
    const { rows } = await owner.query<{ count: number }>(`SELECT count(*)::int AS count FROM workflow_runs WHERE status IN ('running', 'waiting')`);
    return rows[0]!.count;
  }

  /** For a failure report: the oldest unfinished runs' open steps and their jobs, and what the workers said last. */
  async function describeUnfinished(): Promise<string> {
    const { rows } = await owner.query(
      `SELECT s.run_id, s.node_id, s.status, s.attempt, s.lease_until::text, s.due_at::text, s.wait, s.error,
              (SELECT json_agg(json_build_object('key', j.key, 'locked_at', j.locked_at, 'locked_by', j.locked_by, 'run_at', j.run_at, 'attempts', j.attempts))
                 FROM graphile_worker._private_jobs j WHERE j.key IN ('wf-step:' || s.id, 'wf-resume:' || s.id)) AS jobs
         FROM workflow_step_runs s WHERE s.status IN ('pending', 'running', 'waiting') ORDER BY s.created_at LIMIT 10`,
    );
    return `${rows.map((row) => JSON.stringify(row)).join('\n')}\n${workers?.logTails() ?? ''}`;
  }

  it('finishes 240 runs once, each side effect once, while workers are SIGKILLed and restarted', async () => {
    const startedAt = Date.now();
    workers = crash!.startWorkers(workerCount);
    const chaosUntil = startedAt + startSpreadMs + chaosAfterLastStartMs;
    let stop = false;
    const stopped = () => stop;
    const chaos = workers.killRepeatedly({ until: chaosUntil, minimumKills, limit: chaosUntil + 120_000, stopped });
    const starts = (async () => {
      // Runs start through the API at an even pace over `startSpreadMs`, round-robin over the tenants.
      for (let index = 0; index < runCount && !stop; index += 1) {
        await sleep(Math.max(0, startedAt + (index / runCount) * startSpreadMs - Date.now()));
        await startRun(index);
      }
    })();
    let sweeps = 0;
    const sweeper = repeatUntil(stopped, sweepEveryMs, async () => {
      await crash!.enqueueSweep('workflows.sweep');
      sweeps += 1;
    });

    let unfinished = -1;
    try {
      await starts;
      await chaos;
      const chaosEndedAt = Date.now();
      unfinished = await workers.waitUntilQuiet(countUnfinished, quietDeadlineMs);
      if (unfinished !== 0) console.error(`Runs still unfinished ${quietDeadlineMs / 1000} s after the last kill:\n${await describeUnfinished()}`);
      console.info(
        `workflows crash test: ${runCount} runs started over ${startSpreadMs / 1000} s; ${workers.describeKills()}, ${sweeps} sweeps; ` +
          `kills for ${Math.round((chaosEndedAt - startedAt) / 1000)} s, quiet ${Math.round((Date.now() - chaosEndedAt) / 1000)} s later`,
      );
    } finally {
      stop = true;
      await Promise.allSettled([chaos, starts, sweeper]);
      await workers.stopAll();
    }
    expect(unfinished).toBe(0);

    // Every run succeeded, with exactly its five steps, each succeeded once; one list of every problem.
    const { rows: runs } = await owner.query<{ id: string; status: string; error: string | null; finished_at: Date | null; marker: string; index: number }>(
      `SELECT id, status, error, finished_at, trigger_payload->>'marker' AS marker, (trigger_payload->>'index')::int AS index FROM workflow_runs`,
    );
    const { rows: steps } = await owner.query<StepRecord>('SELECT id, run_id, node_id, iteration, status, attempt, output, port FROM workflow_step_runs');
    const { rows: posts } = await owner.query<{ step_run_id: string; base_text: string }>(`SELECT source->>'stepRunId' AS step_run_id, base_text FROM posts WHERE source->>'kind' = 'workflow'`);
    const { rows: mails } = await owner.query<{ id: string; subject: string }>(`SELECT id, subject FROM mail_messages WHERE template = 'workflows.send_email'`);
    const stepsByRun = new Map<string, StepRecord[]>();
    for (const step of steps) stepsByRun.set(step.run_id, [...(stepsByRun.get(step.run_id) ?? []), step]);
    const postsByStep = new Map<string, number>();
    for (const post of posts) postsByStep.set(post.step_run_id, (postsByStep.get(post.step_run_id) ?? 0) + 1);
    const mailsByMarker = new Map<string, number>();
    for (const mail of mails) {
      const marker = mail.subject.replace('Welcome ', '');
      mailsByMarker.set(marker, (mailsByMarker.get(marker) ?? 0) + 1);
    }

    const problems: string[] = [];
    for (const run of runs) {
      const even = run.index % 2 === 0;
      if (run.status !== 'succeeded' || !run.finished_at) problems.push(`${run.marker} is ${run.status}: ${run.error}`);
      const runSteps = stepsByRun.get(run.id) ?? [];
      const expected = ['call', 'pause', 'check', even ? 'post' : 'mail', 'done'].sort();
      const nodes = runSteps.map((step) => step.node_id).sort();
      if (JSON.stringify(nodes) !== JSON.stringify(expected)) problems.push(`${run.marker} has the steps ${nodes.join(', ')}`);
      for (const step of runSteps) {
        if (step.status !== 'succeeded' || step.iteration !== 0) problems.push(`${run.marker} ${step.node_id} is ${step.status} (iteration ${step.iteration})`);
        if (step.node_id === 'check' && step.port !== String(even)) problems.push(`${run.marker} check left through ${step.port}`);
        if (step.node_id === 'call' || step.node_id === 'done') {
          const calls = farEnd.calls.get(step.id) ?? 0;
          if (calls < 1) problems.push(`${run.marker} ${step.node_id}: the far end never saw its key`);
          if (step.output?.body?.key !== step.id || step.output.body.path !== `/${step.node_id === 'call' ? 'leads' : 'done'}/${run.marker}`) {
            problems.push(`${run.marker} ${step.node_id}: its output is ${JSON.stringify(step.output)}`);
          }
        }
        if (step.node_id === 'post' && postsByStep.get(step.id) !== 1) problems.push(`${run.marker} post: ${postsByStep.get(step.id) ?? 0} posts`);
      }
      if (!even && mailsByMarker.get(run.marker) !== 1) problems.push(`${run.marker} mail: ${mailsByMarker.get(run.marker) ?? 0} emails`);
    }
    expect({ problems: problems.length, first: problems.slice(0, 30) }).toEqual({ problems: 0, first: [] });
    expect(runs).toHaveLength(runCount);
    expect(steps).toHaveLength(runCount * 5);
    expect(posts).toHaveLength(runCount / 2);
    expect(mails).toHaveLength(runCount / 2);
    // Every key the far end saw is one of our HTTP steps' (nothing called under another key).
    const httpStepIds = new Set(steps.filter((step) => step.node_id === 'call' || step.node_id === 'done').map((step) => step.id));
    expect([...farEnd.calls.keys()].filter((key) => !httpStepIds.has(key))).toEqual([]);

    // The run went through the paths it is about: steps taken over after a kill (a claim past the lease;
    // only the HTTP steps fail retryably here) and HTTP calls repeated under one key (a 503, or a kill).
    const recovered = steps.filter((step) => step.attempt > 1 && step.node_id !== 'call' && step.node_id !== 'done').length;
    const repeatedCalls = [...farEnd.calls.values()].filter((count) => count > 1).length;
    const { rows: tenantRuns } = await owner.query<{ tenant_id: string; count: number }>(`SELECT tenant_id, count(*)::int AS count FROM workflow_runs GROUP BY tenant_id`);
    console.info(`workflows crash test paths: ${JSON.stringify({ stepsAttemptedMoreThanOnce: recovered, keysCalledMoreThanOnce: repeatedCalls })}`);
    expect(workers.kills).toBeGreaterThanOrEqual(minimumKills);
    expect(recovered).toBeGreaterThan(0);
    expect(repeatedCalls).toBeGreaterThan(0);
    expect(Object.fromEntries(tenantRuns.map((row) => [row.tenant_id, row.count]))).toEqual(Object.fromEntries(tenants.map((tenant) => [tenant.tenantId, runCount / tenantCount])));
  }, 600_000);
});
