import type { DefinitionIssue, StepKindList, ValidationReport, Workflow, WorkflowSaved } from '@omni/contracts/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createWorkflow, manualDefinition, startRun } from '../../../test/factories/workflows.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/** Definitions, their validation and versions, permissions and isolation, through the HTTP API (design §3, §5). */
describe('workflows: definitions and the API', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await registerTenant(t.app);
  });
  afterAll(() => t?.close());

  const notify = (id: string, title: string) => ({ id, kind: 'notify' as const, config: { title } });
  const validate = async (workflowId: string, definition?: unknown) => {
    const response = await request(t.app, { method: 'POST', url: `/api/workflows/${workflowId}/validate`, token: tenant.token, payload: definition === undefined ? {} : { definition } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ValidationReport>();
  };
  const issueAt = (issues: DefinitionIssue[], where: Partial<DefinitionIssue>) => issues.filter((issue) => Object.entries(where).every(([key, value]) => issue[key as keyof DefinitionIssue] === value));

  it('locates each problem at its step or connection', async () => {
    const broken = manualDefinition(
      [
        { id: 'agent', kind: 'ai_agent', config: {} },
        { id: 'gate', kind: 'condition', config: { expression: 'trigger.payload.score >= = 70' } },
        { id: 'tell', kind: 'notify', config: { title: 'Hi {{ trigger.payload.name ' } },
        { id: 'typo', kind: 'notify', config: { title: '{{ trigers.payload.name }} and {{ steps.later.output }}' } },
        { id: 'later', kind: 'delay', config: { amount: 0 } },
        { id: 'alone', kind: 'notify', config: { title: 'Nobody leads here' } },
        { id: 'ping', kind: 'condition', config: { expression: 'true' } },
        { id: 'pong', kind: 'condition', config: { expression: 'true' } },
      ],
      [['trigger', 'agent'], ['trigger', 'gate'], ['gate', 'tell'], ['gate', 'true', 'typo'], ['typo', 'later'], ['typo', 'nowhere'], ['trigger', 'ping'], ['ping', 'true', 'pong'], ['pong', 'true', 'ping']],
    );
    const workflow = await createWorkflow(t, tenant.token, broken, { active: false });
    expect(workflow.status).toBe('paused');
    expect(workflow.validation.ok).toBe(false);
    const { ok, issues } = await validate(workflow.id);
    expect(ok).toBe(false);
    expect(issues).toEqual(workflow.validation.issues);

    expect(issueAt(issues, { nodeId: 'agent', path: 'nodes.0.config.agent' })[0]?.message).toBe('Choose an agent.');
    expect(issueAt(issues, { nodeId: 'gate', path: 'nodes.1.config.expression' })[0]?.message).toMatch(/^The expression does not compile: .*\(at character \d+\)$/);
    expect(issueAt(issues, { nodeId: 'tell', path: 'nodes.2.config.title' })[0]?.message).toMatch(/^The text does not parse: /);
    expect(issueAt(issues, { nodeId: 'typo', path: 'nodes.3.config.title' }).map((issue) => issue.message)).toEqual([
      'Unknown name "trigers": the data starts with trigger, steps, workflow, run.',
      'Step "later" does not run before this step.',
    ]);
    expect(issueAt(issues, { nodeId: 'later', path: 'nodes.4.config.amount' })).toHaveLength(1);
    expect(issueAt(issues, { nodeId: 'alone', path: 'nodes.5' })[0]?.message).toBe('This step is not connected to the trigger: nothing leads to it.');
    expect(issueAt(issues, { nodeId: 'ping' })[0]?.message).toBe('This step is in a loop without a delay or wait step: add one to the loop.');
    expect(issueAt(issues, { nodeId: 'pong' })).toHaveLength(1);
    expect(issueAt(issues, { edgeId: 'e2', path: 'edges.2.sourceHandle' })[0]?.message).toBe('Connect from one of the ports true, false.');
    expect(issueAt(issues, { edgeId: 'e5', path: 'edges.5.target' })[0]?.message).toBe('There is no step "nowhere" to connect to.');
    // Nothing else: each issue above, and no noise.
    expect(issues).toHaveLength(11);
  });

  it('accepts a loop through a delay, and a condition reading an earlier step', async () => {
    const loop = manualDefinition(
      [{ id: 'check', kind: 'condition', config: { expression: '$exists(steps.pause) and steps.check.output.result = false' } }, { id: 'pause', kind: 'delay', config: { amount: 5 } }, notify('done', 'Checked {{ steps.check.output.value }} at {{ run.id }} in {{ workflow.name }}')],
      [['trigger', 'check'], ['check', 'false', 'pause'], ['pause', 'check'], ['check', 'true', 'done']],
    );
    const workflow = await createWorkflow(t, tenant.token, loop);
    expect(workflow).toMatchObject({ status: 'active', currentVersion: 1, validation: { ok: true, issues: [] } });
  });

  it('checks the shape of a draft too, with the step or connection it belongs to', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([notify('tell', 'Hello')], [['trigger', 'tell']]));
    const draft = { trigger: { kind: 'manual' }, nodes: [{ id: 'tell', kind: 'notify', config: { title: 'x' } }, { id: 'Bad Id', kind: 'notify' }, { id: 'what', kind: 'teleport' }], edges: [{ id: 'e1', source: 'trigger' }] };
    const { ok, issues } = await validate(workflow.id, draft);
    expect(ok).toBe(false);
    expect(issueAt(issues, { nodeId: 'Bad Id', path: 'nodes.1.id' })).toHaveLength(1);
    expect(issueAt(issues, { nodeId: 'what', path: 'nodes.2.kind' })[0]?.message).toBe('Choose a known step kind.');
    expect(issueAt(issues, { edgeId: 'e1', path: 'edges.0.target' })).toHaveLength(1);
    expect(await validate(workflow.id)).toEqual({ ok: true, issues: [] });
  });

  it('refuses regular expressions, which no time box can interrupt', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([notify('tell', 'Hello')], [['trigger', 'tell']]));
    const draft = manualDefinition([{ id: 'gate', kind: 'condition', config: { expression: '$contains(trigger.payload.email, /(a+)+@/)' } }], [['trigger', 'gate']]);
    const { issues } = await validate(workflow.id, draft);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ nodeId: 'gate', path: 'nodes.0.config.expression' });
    expect(issues[0]!.message).toMatch(/^Regular expressions are not available/);
  });

  it('saves an invalid definition only paused, and activates only a valid one', async () => {
    const invalid = manualDefinition([{ id: 'gate', kind: 'condition', config: { expression: '(' } }], [['trigger', 'gate']]);
    const refused = await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Broken', definition: invalid } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'workflows.definition_invalid', issues: [{ nodeId: 'gate', path: 'nodes.0.config.expression' }] });

    const draft = await createWorkflow(t, tenant.token, invalid, { active: false });
    const activate = await request(t.app, { method: 'PATCH', url: `/api/workflows/${draft.id}`, token: tenant.token, payload: { status: 'active' } });
    expect(activate.statusCode).toBe(422);
    expect(activate.json().code).toBe('workflows.definition_invalid');
    const run = await request(t.app, { method: 'POST', url: `/api/workflows/${draft.id}/runs`, token: tenant.token, payload: { test: true } });
    expect(run.statusCode).toBe(422);

    const fixed = manualDefinition([{ id: 'gate', kind: 'condition', config: { expression: 'true' } }], [['trigger', 'gate']]);
    const saved = await request(t.app, { method: 'PATCH', url: `/api/workflows/${draft.id}`, token: tenant.token, payload: { definition: fixed, expectedVersion: 1, status: 'active' } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json<WorkflowSaved>()).toMatchObject({ status: 'active', currentVersion: 2, validation: { ok: true }, webhookSecret: null });
  });

  it('refuses a schedule with a bad cron or time zone, and an event filter that does not compile or looks past the event', async () => {
    const scheduled = { ...manualDefinition([notify('tell', 'Morning')], [['trigger', 'tell']]), trigger: { kind: 'schedule', cron: '0 25 * * 1-5', timezone: 'Europe/Atlantis' } };
    const refused = await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Mornings', definition: scheduled } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().issues.map((issue: { path: string }) => issue.path)).toEqual(['trigger.cron', 'trigger.timezone']);
    const sixFields = { ...scheduled, trigger: { kind: 'schedule', cron: '0 0 9 * * 1-5', timezone: 'Europe/Rome' } };
    expect((await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Mornings', definition: sixFields } })).json().issues[0].message).toContain('five fields');

    for (const filter of ['event.sourceType = ', 'trigger.payload.x = 1']) {
      const filtered = { ...scheduled, trigger: { kind: 'event', eventType: 'feeds.article_received', filter } };
      const response = await request(t.app, { method: 'POST', url: '/api/workflows', token: tenant.token, payload: { name: 'Filtered', definition: filtered } });
      expect(response.statusCode).toBe(422);
      expect(response.json().issues[0]).toMatchObject({ path: 'trigger.filter' });
    }
  });

  it('keeps every version; a stale expectedVersion is a conflict, an unchanged definition no new version', async () => {
    const first = manualDefinition([notify('tell', 'One')], [['trigger', 'tell']]);
    const workflow = await createWorkflow(t, tenant.token, first);
    const patch = (payload: Record<string, unknown>) => request(t.app, { method: 'PATCH', url: `/api/workflows/${workflow.id}`, token: tenant.token, payload });

    const second = await patch({ definition: manualDefinition([notify('tell', 'Two')], [['trigger', 'tell']]), expectedVersion: 1 });
    expect(second.json<Workflow>().currentVersion).toBe(2);
    const stale = await patch({ definition: manualDefinition([notify('tell', 'Three')], [['trigger', 'tell']]), expectedVersion: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'workflows.version_conflict', currentVersion: 2 });
    const same = await patch({ definition: manualDefinition([notify('tell', 'Two')], [['trigger', 'tell']]), expectedVersion: 2, name: 'Renamed' });
    expect(same.json<Workflow>()).toMatchObject({ currentVersion: 2, name: 'Renamed' });

    const versions = await request(t.app, { url: `/api/workflows/${workflow.id}/versions`, token: tenant.token });
    expect(versions.statusCode, versions.body).toBe(200);
    expect(versions.json().items.map((item: { version: number }) => item.version)).toEqual([2, 1]);
    const one = await request(t.app, { url: `/api/workflows/${workflow.id}/versions/1`, token: tenant.token });
    expect(one.json().definition.nodes[0].config).toEqual({ title: 'One' });
    expect((await request(t.app, { url: `/api/workflows/${workflow.id}/versions/9`, token: tenant.token })).statusCode).toBe(404);
    expect((await request(t.app, { url: `/api/workflows/${workflow.id}/versions/first`, token: tenant.token })).statusCode).toBe(404);
  });

  it('lists the available step kinds with ports and config schemas, not those still to come', async () => {
    const response = await request(t.app, { url: '/api/workflows/step-kinds', token: tenant.token });
    expect(response.statusCode).toBe(200);
    const kinds = response.json<StepKindList>().items;
    expect(kinds.map((kind) => kind.kind)).toEqual(expect.arrayContaining(['condition', 'create_post', 'delay', 'http_request', 'notify', 'send_email', 'update_record', 'wait_until']));
    expect(kinds.find((kind) => kind.kind === 'condition')).toMatchObject({ ports: ['true', 'false'], sideEffect: false, configSchema: { type: 'object', required: ['expression'] } });
    expect(kinds.find((kind) => kind.kind === 'notify')).toMatchObject({ ports: ['default'], sideEffect: true });
  });

  it('lets viewers read, and only editors write and run', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([notify('tell', 'Hi')], [['trigger', 'tell']]));
    const viewer = await addMember(t, tenant.token, { role: 'viewer', accountId: tenant.accountId });
    const editor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    expect((await request(t.app, { url: `/api/workflows/${workflow.id}`, token: viewer.token })).statusCode).toBe(200);
    expect((await request(t.app, { url: '/api/workflows/runs', token: viewer.token })).statusCode).toBe(200);
    expect((await request(t.app, { method: 'PATCH', url: `/api/workflows/${workflow.id}`, token: viewer.token, payload: { name: 'No' } })).statusCode).toBe(403);
    expect((await request(t.app, { method: 'POST', url: `/api/workflows/${workflow.id}/runs`, token: viewer.token, payload: {} })).statusCode).toBe(403);
    expect((await request(t.app, { method: 'PATCH', url: `/api/workflows/${workflow.id}`, token: editor.token, payload: { name: 'Yes' } })).statusCode).toBe(200);
    const run = await startRun(t, editor.token, workflow.id);
    expect(run.startedBy).toBe(editor.userId);
  });

  it('hides another tenant’s workflows and runs: 404 for every route', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'pause', kind: 'delay', config: { amount: 1, unit: 'days' } }], [['trigger', 'pause']]));
    const run = await startRun(t, tenant.token, workflow.id);
    const stepId = run.steps[0]!.id;
    const other = await registerTenant(t.app);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/api/workflows/${workflow.id}`],
      ['PATCH', `/api/workflows/${workflow.id}`, { name: 'Mine now' }],
      ['DELETE', `/api/workflows/${workflow.id}`],
      ['GET', `/api/workflows/${workflow.id}/versions`],
      ['GET', `/api/workflows/${workflow.id}/versions/1`],
      ['POST', `/api/workflows/${workflow.id}/validate`, {}],
      ['POST', `/api/workflows/${workflow.id}/runs`, {}],
      ['GET', `/api/workflows/runs/${run.id}`],
      ['POST', `/api/workflows/runs/${run.id}/cancel`],
      ['POST', `/api/workflows/runs/${run.id}/steps/${stepId}/retry`],
    ];
    for (const [method, url, payload] of calls) {
      const response = await request(t.app, { method: method as 'GET', url, token: other.token, ...(payload ? { payload } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await request(t.app, { url: '/api/workflows', token: other.token })).json().items).toEqual([]);
    expect((await request(t.app, { url: `/api/workflows/runs?workflowId=${workflow.id}`, token: other.token })).json().items).toEqual([]);
    expect((await request(t.app, { url: `/api/workflows/runs?workflowId=${workflow.id}`, token: tenant.token })).json().items.map((item: { id: string }) => item.id)).toEqual([run.id]);
  });

  it('deletes a workflow only when no run is still going', async () => {
    const workflow = await createWorkflow(t, tenant.token, manualDefinition([{ id: 'pause', kind: 'delay', config: { amount: 1, unit: 'hours' } }], [['trigger', 'pause']]));
    const run = await startRun(t, tenant.token, workflow.id);
    const busy = await request(t.app, { method: 'DELETE', url: `/api/workflows/${workflow.id}`, token: tenant.token });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('workflows.runs_unfinished');
    expect((await request(t.app, { method: 'POST', url: `/api/workflows/runs/${run.id}/cancel`, token: tenant.token })).statusCode).toBe(200);
    expect((await request(t.app, { method: 'DELETE', url: `/api/workflows/${workflow.id}`, token: tenant.token })).statusCode).toBe(204);
    expect((await request(t.app, { url: `/api/workflows/${workflow.id}`, token: tenant.token })).statusCode).toBe(404);
    expect((await request(t.app, { url: `/api/workflows/runs/${run.id}`, token: tenant.token })).statusCode).toBe(404);
  });
});
