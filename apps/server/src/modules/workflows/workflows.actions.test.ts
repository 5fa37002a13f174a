import type { WorkflowActionList, WorkflowRunDetail } from '@omni/contracts/workflows';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJob } from '../../kernel/jobs/jobs.js';
import { registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createWorkflow, getRun, jobRunAt, manualDefinition, runJobNow, startRun, stepOf } from '../../../test/factories/workflows.js';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';

type Received = { method: string; path: string; headers: IncomingHttpHeaders; body: string };

/**
 * A far end for http_request steps: /ok echoes as JSON, /flaky/<key> fails with 500 the first time,
 * /limited/<key> answers 429 (Retry-After: 120) the first time, /missing is 404, /big is over 256 KB.
 */
async function startFarEnd(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      received.push({ method: req.method ?? '', path, headers: req.headers, body });
      const first = !seen.has(path);
      seen.add(path);
      if (path.startsWith('/ok')) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req-1', 'set-cookie': 'secret=1' });
        res.end(JSON.stringify({ ok: true, method: req.method, received: body ? (JSON.parse(body) as unknown) : null }));
      } else if (path.startsWith('/flaky/') && first) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('temporarily broken');
      } else if (path.startsWith('/limited/') && first) {
        res.writeHead(429, { 'retry-after': '120' });
        res.end();
      } else if (path.startsWith('/flaky/') || path.startsWith('/limited/')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('fine now');
      } else if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(300 * 1024));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'no such lead' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The side-effect step kinds through the API, the real engine jobs and real content, mail and HTTP. */
describe('workflows: action steps', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;
  let sandboxId: string;
  let farEnd: Awaited<ReturnType<typeof startFarEnd>>;

  beforeAll(async () => {
    farEnd = await startFarEnd();
    t = await createTestApp({ WORKFLOW_HTTP_ALLOW_PRIVATE: 'true' });
    tenant = await registerTenant(t.app);
    const connection = await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name: 'Sandbox page' } });
    expect(connection.statusCode, connection.body).toBe(201);
    sandboxId = connection.json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t?.close();
    await farEnd?.close();
  });

  async function finishedRun(runId: string, token = tenant.token, app = t): Promise<WorkflowRunDetail> {
    await app.drainJobs();
    return getRun(app, token, runId);
  }

  /** What the far end received at this path (query included). */
  const receivedAt = (path: string) => farEnd.received.filter((request) => request.path === path);

  const notify = (id: string, title: string) => ({ id, kind: 'notify' as const, config: { to: 'role', role: 'editor', title } });

  /** Run a step's job again, as a duplicate wake-up or a second worker would. */
  const runStepJobAgain = (stepRunId: string) => executeJob(t.kernel, t.jobs.get('workflows.step')!, { tenantId: tenant.tenant.id, data: { stepRunId } }, { jobId: 'again', attempt: 1 });

  const mailsTo = async (addresses: string[]) =>
    (await t.owner.query<{ to_address: string; subject: string; text_body: string; html_body: string; template: string }>(
      'SELECT to_address, subject, text_body, html_body, template FROM mail_messages WHERE tenant_id = $1 AND to_address = ANY($2) ORDER BY to_address',
      [tenant.tenant.id, addresses],
    )).rows;

  const postsOfStep = async (stepRunId: string) =>
    (await t.owner.query<{ id: string; status: string; title: string; base_text: string; tags: string[]; source: Record<string, unknown> }>(
      `SELECT id, status, title, base_text, tags, source FROM posts WHERE tenant_id = $1 AND source->>'stepRunId' = $2`,
      [tenant.tenant.id, stepRunId],
    )).rows;

  describe('send_email', () => {
    it('queues one message per address with the rendered text, once, even when its job runs again', async () => {
      const first = `lead-${uniqueSuffix()}@example.test`;
      const second = `sales-${uniqueSuffix()}@example.test`;
      const workflow = await createWorkflow(
        t,
        tenant.token,
        manualDefinition(
          [{ id: 'mail', kind: 'send_email', config: { to: `{{ trigger.payload.email }}, ${second}, {{ trigger.payload.email }}`, subject: 'Welcome\n{{ trigger.payload.name }}', body: 'Hi <b>{{ trigger.payload.name }}</b>,\nthanks.\n\nBye' } }],
          [['trigger', 'mail']],
        ),
      );
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { email: first, name: 'Ada & Co' } })).id);
      expect(run.status).toBe('succeeded');
      const step = stepOf(run, 'mail')!;
      expect(step).toMatchObject({ status: 'succeeded', port: 'default', input: { to: [first, second], subject: 'Welcome Ada & Co' }, output: { dryRun: false, to: [first, second] } });
      const mails = await mailsTo([first, second]);
      expect(mails.map((mail) => mail.to_address).sort()).toEqual([first, second].sort());
      expect(mails[0]).toMatchObject({ subject: 'Welcome Ada & Co', text_body: 'Hi <b>Ada & Co</b>,\nthanks.\n\nBye', template: 'workflows.send_email' });
      expect(mails[0]!.html_body).toBe('<p>Hi &#60;b&#62;Ada &#38; Co&#60;/b&#62;,<br>thanks.</p><p>Bye</p>');
      const ids = (await t.owner.query<{ id: string }>('SELECT id FROM mail_messages WHERE to_address = ANY($1)', [[first, second]])).rows.map((row) => row.id).sort();
      expect([...(step.output as { messageIds: string[] }).messageIds].sort()).toEqual(ids);

      await runStepJobAgain(step.id);
      await t.drainJobs();
      expect(await mailsTo([first, second])).toHaveLength(2);
      expect(stepOf(await getRun(t, tenant.token, run.id), 'mail')?.attempt).toBe(1);
    });

    it('sends nothing in a test run, and only records what it would send', async () => {
      const address = `dry-${uniqueSuffix()}@example.test`;
      const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'mail', kind: 'send_email', config: { to: address, subject: 'Dry', body: 'Text' } }], [['trigger', 'mail']]));
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { test: true })).id);
      expect(stepOf(run, 'mail')).toMatchObject({ status: 'succeeded', output: { dryRun: true, to: [address], messageIds: [] } });
      expect(await mailsTo([address])).toEqual([]);
    });

    it('refuses a rendered address that is not one through its error port, queuing nothing', async () => {
      const title = `Bad address ${uniqueSuffix()}`;
      const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'mail', kind: 'send_email', config: { to: '{{ trigger.payload.email }}', subject: 'Hi', body: 'Text' } }, notify('tell', title)], [['trigger', 'mail'], ['mail', 'error', 'tell']]));
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { email: 'not-an-address' } })).id);
      expect(stepOf(run, 'mail')).toMatchObject({ status: 'failed', port: 'error', attempt: 1, error: { code: 'workflows.email_recipients_invalid', retryable: false } });
      expect(stepOf(run, 'tell')?.status).toBe('succeeded');
      expect(run.status).toBe('succeeded');
      expect(await mailsTo(['not-an-address'])).toEqual([]);
    });

    it('refuses more than ten fixed addresses when the workflow is saved', async () => {
      const to = Array.from({ length: 11 }, (_, index) => `person${index}@example.test`).join(', ');
      const response = await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Too many', definition: manualDefinition([{ id: 'mail', kind: 'send_email', config: { to, subject: 'Hi', body: 'Text' } }], [['trigger', 'mail']]) } });
      expect(response.statusCode).toBe(422);
      expect(response.json().issues).toEqual([expect.objectContaining({ nodeId: 'mail', path: 'nodes.0.config.to', message: 'At most 10 addresses; there are 11.' })]);
    });
  });

  describe('create_post', () => {
    it('makes one post with the workflow as its source and submits it for approval; running the step again finds it', async () => {
      const workflow = await createWorkflow(
        t,
        tenant.token,
        manualDefinition(
          [{ id: 'post', kind: 'create_post', config: { title: 'About {{ trigger.payload.topic }}', text: 'New: {{ trigger.payload.topic }}', network: 'sandbox', tags: ['Auto'], submitForApproval: true } }],
          [['trigger', 'post']],
        ),
      );
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { topic: 'spring sale' } })).id);
      expect(run.status).toBe('succeeded');
      const step = stepOf(run, 'post')!;
      const posts = await postsOfStep(step.id);
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({ status: 'in_review', title: 'About spring sale', base_text: 'New: spring sale', tags: ['auto'], source: { kind: 'workflow', workflowId: workflow.id, runId: run.id, stepRunId: step.id } });
      expect(step.output).toEqual({ dryRun: false, postId: posts[0]!.id, status: 'in_review', destinations: 1, created: true });
      const approvals = await t.owner.query('SELECT stage, status, requested_by FROM approval_requests WHERE subject_type = $1 AND subject_id = $2', ['post', posts[0]!.id]);
      expect(approvals.rows).toEqual([{ stage: 'internal', status: 'pending', requested_by: null }]);

      // The step runs again (its status reset as after a lost finish): it finds its post instead of making one.
      await t.owner.query(`UPDATE workflow_step_runs SET status = 'pending', port = NULL WHERE id = $1`, [step.id]);
      await runStepJobAgain(step.id);
      const again = await getRun(t, tenant.token, run.id);
      expect(stepOf(again, 'post')).toMatchObject({ status: 'succeeded', attempt: 2, output: { postId: posts[0]!.id, created: false } });
      expect(await postsOfStep(step.id)).toHaveLength(1);
      expect((await t.owner.query('SELECT 1 FROM approval_requests WHERE subject_id = $1', [posts[0]!.id])).rowCount).toBe(1);
    });

    it('schedules a post at the time an expression gives, on chosen connections', async () => {
      const at = new Date(Date.now() + 3 * 86_400_000).toISOString();
      const workflow = await createWorkflow(
        t,
        tenant.token,
        manualDefinition([{ id: 'post', kind: 'create_post', config: { text: 'Scheduled {{ run.id }}', connectionIds: [sandboxId], plannedAtExpression: 'trigger.payload.at', schedule: true } }], [['trigger', 'post']]),
      );
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { at } })).id);
      const step = stepOf(run, 'post')!;
      expect(step).toMatchObject({ status: 'succeeded', output: { status: 'scheduled' }, input: { plannedAt: at, then: 'schedule' } });
      const post = (await postsOfStep(step.id))[0]!;
      const response = await request(t.app, { url: `/api/content/posts/${post.id}`, token: tenant.token });
      expect(response.json()).toMatchObject({ status: 'scheduled', plannedAt: at });
    });

    it('makes no post in a test run, and fails through its error port when the network has no connection', async () => {
      const dry = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'post', kind: 'create_post', config: { text: 'Dry', network: 'sandbox' } }], [['trigger', 'post']]));
      const dryRun = await finishedRun((await startRun(t, tenant.token, dry.id, { test: true })).id);
      const dryStep = stepOf(dryRun, 'post')!;
      expect(dryStep).toMatchObject({ status: 'succeeded', output: { dryRun: true, postId: null, connectionIds: [sandboxId] } });
      expect(await postsOfStep(dryStep.id)).toEqual([]);

      const nowhere = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'post', kind: 'create_post', config: { text: 'Nowhere', network: 'x' } }, notify('tell', 'no x')], [['trigger', 'post'], ['post', 'error', 'tell']]));
      const run = await finishedRun((await startRun(t, tenant.token, nowhere.id)).id);
      const step = stepOf(run, 'post')!;
      expect(step).toMatchObject({ status: 'failed', port: 'error', attempt: 1, error: { code: 'content.no_destination', retryable: false } });
      expect(await postsOfStep(step.id)).toEqual([]);
    });

    it('refuses settings that contradict each other when saved', async () => {
      const definition = manualDefinition([{ id: 'post', kind: 'create_post', config: { text: 'x', network: 'sandbox', connectionIds: [sandboxId], submitForApproval: true, schedule: true } }], [['trigger', 'post']]);
      const response = await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Contradictions', definition } });
      expect(response.statusCode).toBe(422);
      expect(response.json().issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['nodes.0.config.connectionIds', 'nodes.0.config.plannedAt', 'nodes.0.config.schedule']);
    });
  });

  describe('update_record', () => {
    it('lists the registered actions with their input schemas', async () => {
      const response = await request(t.app, { url: '/api/workflows/actions', token: tenant.token });
      expect(response.statusCode).toBe(200);
      const items = response.json<WorkflowActionList>().items;
      expect(items.map((item) => item.name)).toEqual(expect.arrayContaining(['content.post.add_tags', 'content.post.submit']));
      expect(items.find((item) => item.name === 'content.post.add_tags')).toMatchObject({ inputSchema: { type: 'object', required: ['postId', 'tags'] } });
    });

    it('runs registered actions on the post an earlier step made: tags added, then submitted', async () => {
      const workflow = await createWorkflow(
        t,
        tenant.token,
        manualDefinition(
          [
            { id: 'post', kind: 'create_post', config: { text: 'Tag me', network: 'sandbox', tags: ['first'] } },
            { id: 'tag', kind: 'update_record', config: { action: 'content.post.add_tags', input: { postId: '{{ steps.post.output.postId }}', tags: 'Launch, {{ trigger.payload.topic }}' } } },
            { id: 'submit', kind: 'update_record', config: { action: 'content.post.submit', input: { postId: '{{ steps.post.output.postId }}' } } },
          ],
          [['trigger', 'post'], ['post', 'tag'], ['tag', 'submit']],
        ),
      );
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { topic: 'AI' } })).id);
      expect(run.status).toBe('succeeded');
      const postId = (stepOf(run, 'post')!.output as { postId: string }).postId;
      expect(stepOf(run, 'tag')).toMatchObject({ status: 'succeeded', input: { action: 'content.post.add_tags', input: { postId, tags: 'Launch, AI' } }, output: { result: { postId, tags: ['first', 'launch', 'ai'] } } });
      expect(stepOf(run, 'submit')).toMatchObject({ status: 'succeeded', output: { result: { postId, status: 'in_review' } } });
      const post = (await t.owner.query<{ tags: string[]; status: string; current_revision: number }>('SELECT tags, status, current_revision FROM posts WHERE id = $1', [postId])).rows[0];
      expect(post).toEqual({ tags: ['first', 'launch', 'ai'], status: 'in_review', current_revision: 1 });
    });

    it('refuses an unknown action, and input the action does not take, when the workflow is saved', async () => {
      const definition = manualDefinition(
        [
          { id: 'ghost', kind: 'update_record', config: { action: 'crm.lead.vanish', input: {} } },
          { id: 'typo', kind: 'update_record', config: { action: 'content.post.submit', input: { post: 'x' } } },
        ],
        [['trigger', 'ghost'], ['trigger', 'typo']],
      );
      const response = await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Unknown', definition } });
      expect(response.statusCode).toBe(422);
      expect(response.json().issues).toEqual([
        expect.objectContaining({ nodeId: 'ghost', path: 'nodes.0.config.action', message: 'There is no action "crm.lead.vanish": choose one of the list.' }),
        expect.objectContaining({ nodeId: 'typo', path: 'nodes.1.config.input.post' }),
        expect.objectContaining({ nodeId: 'typo', path: 'nodes.1.config.input.postId', message: 'The action content.post.submit needs "postId".' }),
      ]);
    });

    it('fails without retrying when the rendered input is not what the action takes, and changes nothing in a test run', async () => {
      const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'tag', kind: 'update_record', config: { action: 'content.post.add_tags', input: { postId: '{{ trigger.payload.id }}', tags: 'x' } } }], [['trigger', 'tag']]));
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { id: 'not-a-post' } })).id);
      expect(stepOf(run, 'tag')).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'workflows.action_input_invalid', retryable: false } });

      const created = await request(t.app, { method: 'POST', url: '/api/content/posts', token: tenant.token, payload: { baseText: 'Mine', destinations: [sandboxId] } });
      expect(created.statusCode, created.body).toBe(201);
      const postId = created.json<{ id: string }>().id;
      const dry = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { id: postId }, test: true })).id);
      expect(stepOf(dry, 'tag')).toMatchObject({ status: 'succeeded', output: { dryRun: true, result: null } });
      expect((await t.owner.query('SELECT tags FROM posts WHERE id = $1', [postId])).rows[0]).toEqual({ tags: [] });

      const unknown = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { id: crypto.randomUUID() } })).id);
      expect(stepOf(unknown, 'tag')).toMatchObject({ status: 'failed', error: { code: 'post.not_found', retryable: false } });
    });
  });

  describe('http_request', () => {
    const callWorkflow = (config: Record<string, unknown>, extra: { retry?: { maxAttempts: number; backoffSeconds: number }; onError?: string } = {}) =>
      createWorkflow(
        t,
        tenant.token,
        manualDefinition(
          [{ id: 'call', kind: 'http_request', config, ...(extra.retry ? { retry: extra.retry } : {}) }, ...(extra.onError ? [notify('handled', extra.onError)] : [])],
          [['trigger', 'call'], ...(extra.onError ? [['call', 'error', 'handled'] as [string, string, string]] : [])],
        ),
      );
    it('sends the rendered request with an Idempotency-Key and outputs the status, a few headers and the parsed JSON', async () => {
      const path = `/ok/${uniqueSuffix()}`;
      const workflow = await callWorkflow({
        method: 'POST',
        url: `${farEnd.url}${path}?lead={{ trigger.payload.name | downcase }}`,
        headers: { 'X-Token': 'token-{{ trigger.payload.name }}' },
        bodyExpression: '{"name": trigger.payload.name, "score": trigger.payload.score * 2}',
      });
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id, { input: { name: 'Ada', score: 21 } })).id);
      const step = stepOf(run, 'call')!;
      expect(step).toMatchObject({
        status: 'succeeded',
        output: { dryRun: false, status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req-1' }, body: { ok: true, method: 'POST', received: { name: 'Ada', score: 42 } } },
      });
      expect((step.output as { headers: Record<string, string> }).headers['set-cookie']).toBeUndefined();
      const [received] = receivedAt(`${path}?lead=ada`);
      expect(received).toMatchObject({ method: 'POST', headers: { 'idempotency-key': step.id, 'x-token': 'token-Ada', 'content-type': 'application/json' } });
    });

    it('retries a 500 with the same Idempotency-Key and succeeds on the next attempt', async () => {
      const path = `/flaky/${uniqueSuffix()}`;
      const workflow = await callWorkflow({ url: `${farEnd.url}${path}` }, { retry: { maxAttempts: 3, backoffSeconds: 5 } });
      const started = await startRun(t, tenant.token, workflow.id);
      const stepId = started.steps[0]!.id;
      const failed = await finishedRun(started.id);
      expect(stepOf(failed, 'call')).toMatchObject({ status: 'pending', attempt: 1, error: { code: 'workflows.http_server_error', retryable: true } });
      expect(stepOf(failed, 'call')!.error!.message).toContain('HTTP 500: temporarily broken');

      await runJobNow(t, `wf-step:${stepId}`);
      const done = await getRun(t, tenant.token, started.id);
      expect(done.status).toBe('succeeded');
      expect(stepOf(done, 'call')).toMatchObject({ status: 'succeeded', attempt: 2, output: { status: 200, body: 'fine now' } });
      expect(receivedAt(path).map((request) => request.headers['idempotency-key'])).toEqual([stepId, stepId]);
    });

    it('waits at least the Retry-After of a 429 before trying again', async () => {
      const path = `/limited/${uniqueSuffix()}`;
      const workflow = await callWorkflow({ method: 'DELETE', url: `${farEnd.url}${path}` }, { retry: { maxAttempts: 3, backoffSeconds: 1 } });
      const started = await startRun(t, tenant.token, workflow.id);
      const stepId = started.steps[0]!.id;
      const before = Date.now();
      const limited = await finishedRun(started.id);
      expect(stepOf(limited, 'call')).toMatchObject({ status: 'pending', error: { code: 'workflows.http_rate_limited', retryable: true } });
      expect((await jobRunAt(t, `wf-step:${stepId}`))!.getTime() - before).toBeGreaterThanOrEqual(119_000);
      await runJobNow(t, `wf-step:${stepId}`);
      expect(stepOf(await getRun(t, tenant.token, started.id), 'call')).toMatchObject({ status: 'succeeded', attempt: 2 });
      expect(receivedAt(path).map((request) => request.method)).toEqual(['DELETE', 'DELETE']);
    });

    it('takes the error port on a 404 without retrying, and on a response over 256 KB', async () => {
      const workflow = await callWorkflow({ url: `${farEnd.url}/missing` }, { retry: { maxAttempts: 3, backoffSeconds: 5 }, onError: 'lead missing' });
      const run = await finishedRun((await startRun(t, tenant.token, workflow.id)).id);
      expect(run.status).toBe('succeeded');
      expect(stepOf(run, 'call')).toMatchObject({ status: 'failed', port: 'error', attempt: 1, error: { code: 'workflows.http_status', retryable: false } });
      expect(stepOf(run, 'call')!.error!.message).toBe('The far end answered HTTP 404: {"error":"no such lead"}');
      expect(stepOf(run, 'handled')?.status).toBe('succeeded');

      const big = await callWorkflow({ url: `${farEnd.url}/big` }, { onError: 'too big' });
      const bigRun = await finishedRun((await startRun(t, tenant.token, big.id)).id);
      expect(stepOf(bigRun, 'call')).toMatchObject({ status: 'failed', port: 'error', error: { code: 'workflows.http_refused' } });
      expect(stepOf(bigRun, 'call')!.error!.message).toMatch(/over the 262144-byte limit/);
    });

    it('calls nothing in a test run and refuses metadata addresses even when private ones are allowed', async () => {
      const path = `/ok/${uniqueSuffix()}`;
      const dry = await callWorkflow({ method: 'PUT', url: `${farEnd.url}${path}`, body: 'hello {{ run.id }}' });
      const dryRun = await finishedRun((await startRun(t, tenant.token, dry.id, { test: true })).id);
      expect(stepOf(dryRun, 'call')).toMatchObject({ status: 'succeeded', input: { method: 'PUT', body: `hello ${dryRun.id}` }, output: { dryRun: true, status: null } });
      expect(receivedAt(path)).toEqual([]);

      const metadata = await callWorkflow({ url: 'https://169.254.169.254/latest/meta-data/' });
      const run = await finishedRun((await startRun(t, tenant.token, metadata.id)).id);
      expect(stepOf(run, 'call')).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'workflows.http_refused', message: 'The request to https://169.254.169.254/latest/meta-data/ points to a cloud metadata address' } });
    });

    it('refuses reserved headers and a body on GET when saved', async () => {
      const definition = manualDefinition([{ id: 'call', kind: 'http_request', config: { url: 'https://example.com', headers: { Host: 'evil' }, body: 'x' } }], [['trigger', 'call']]);
      const response = await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Reserved', definition } });
      expect(response.statusCode).toBe(422);
      expect(response.json().issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['nodes.0.config.body', 'nodes.0.config.headers']);
    });
  });

  describe('http_request with WORKFLOW_HTTP_ALLOW_PRIVATE off (the default)', () => {
    let strict: TestApp;
    let owner: RegisteredTenant;

    beforeAll(async () => {
      strict = await createTestApp();
      owner = await registerTenant(strict.app);
    });
    afterAll(() => strict?.close());

    it('refuses loopback and private addresses without calling them', async () => {
      const path = `/ok/${uniqueSuffix()}`;
      const https = farEnd.url.replace('http:', 'https:');
      const cases = [
        { url: `${https}${path}`, message: `The request to ${https}${path} points to a loopback address` },
        { url: `${farEnd.url}${path}`, message: `The request to ${farEnd.url}${path} must use https` },
        { url: 'https://10.1.2.3/hook', message: 'The request to https://10.1.2.3/hook points to a private address' },
      ];
      for (const { url, message } of cases) {
        const workflow = await createWorkflow(strict, owner.token, manualDefinition([{ id: 'call', kind: 'http_request', config: { url } }], [['trigger', 'call']]));
        const run = await finishedRun((await startRun(strict, owner.token, workflow.id)).id, owner.token, strict);
        expect(stepOf(run, 'call')).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'workflows.http_refused', message, retryable: false } });
      }
      expect(receivedAt(path)).toEqual([]);
    });
  });
});
