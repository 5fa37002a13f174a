import type { WorkflowSaved, WorkflowTemplate } from '@omni/contracts/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeWebhookSignature } from '../../kernel/crypto/webhook-signatures.js';
import { registerTenant } from '../../../test/factories/tenancy.js';
import { getRun, stepOf } from '../../../test/factories/workflows.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { checkDefinition } from './definition.js';
import { findStepKind, replaceStepKind } from './steps/index.js';
import { workflowTemplates } from './templates/catalogue.js';

/** Templates per industry (docs/design/workflows.md §6): the catalogue, its order, installing one. */
describe('workflows: templates', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('each template is valid as it stands', () => {
    expect(workflowTemplates.map((template) => template.id).sort()).toEqual(['blog-to-social', 'lead-follow-up', 'talent-application']);
    for (const template of workflowTemplates) expect(checkDefinition(template.definition), template.id).toEqual([]);
  });

  it('lists every template with the tenant’s industry first, then those for all industries', async () => {
    const order = async (industry: string) => {
      const owner = await registerTenant(t.app, { industry });
      const response = await request(t.app, { url: '/api/workflows/templates', token: owner.token });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ items: WorkflowTemplate[] }>().items.map((template) => template.id);
    };
    expect(await order('talent')).toEqual(['talent-application', 'lead-follow-up', 'blog-to-social']);
    expect(await order('marketing_agency')).toEqual(['blog-to-social', 'lead-follow-up', 'talent-application']);
    expect((await order('ecommerce'))[0]).toBe('lead-follow-up');
    expect((await request(t.app, { url: '/api/workflows/templates' })).statusCode).toBe(401);
  });

  it('installs a template as a new workflow, active, whose webhook starts a run', async () => {
    const owner = await registerTenant(t.app, { industry: 'talent' });
    const response = await request(t.app, { method: 'POST', url: '/api/workflows/templates/lead-follow-up/install', token: owner.token, payload: { name: 'Our leads' } });
    expect(response.statusCode, response.body).toBe(201);
    const installed = response.json<WorkflowSaved>();
    const template = workflowTemplates.find((candidate) => candidate.id === 'lead-follow-up')!;
    expect(installed).toMatchObject({ name: 'Our leads', status: 'active', templateId: 'lead-follow-up', workflowType: 'lead_processing', currentVersion: 1, description: template.description, validation: { ok: true } });
    expect(installed.definition).toEqual(template.definition);
    // A webhook template: its URL, and its secret once.
    expect(installed.webhookUrl).toMatch(/\/api\/hooks\/workflows\//);
    expect(installed.webhookSecret).toMatch(/^whsec_/);
    const listed = await request(t.app, { url: '/api/workflows', token: owner.token });
    expect(listed.json<{ items: Array<{ id: string }> }>().items.map((item) => item.id)).toContain(installed.id);

    const body = JSON.stringify({ email: 'lead@example.test', company: 'Acme' });
    const timestamp = Math.floor(Date.now() / 1000);
    const delivered = await request(t.app, {
      method: 'POST',
      url: new URL(installed.webhookUrl!).pathname,
      payload: body,
      headers: { 'content-type': 'application/json', 'x-omni-timestamp': String(timestamp), 'x-omni-signature': `sha256=${computeWebhookSignature(installed.webhookSecret!, timestamp, body)}`, 'x-omni-delivery': 'lead-1' },
    });
    expect(delivered.statusCode, delivered.body).toBe(202);
    await t.drainJobs();
    const run = await getRun(t, owner.token, delivered.json<{ runId: string }>().runId);
    expect(run.trigger).toEqual({ kind: 'webhook', payload: { email: 'lead@example.test', company: 'Acme' } });
    expect(stepOf(run, 'score')?.input).toMatchObject({ agent: 'lead-scorer', input: { lead: { email: 'lead@example.test', company: 'Acme', jobTitle: '', source: 'webhook' }, activities: [] } });

    const defaultName = await request(t.app, { method: 'POST', url: '/api/workflows/templates/blog-to-social/install', token: owner.token });
    expect(defaultName.statusCode, defaultName.body).toBe(201);
    expect(defaultName.json()).toMatchObject({ name: 'Blog to social, with approval', status: 'active', templateId: 'blog-to-social', webhookUrl: null, webhookSecret: null });

    const unknown = await request(t.app, { method: 'POST', url: '/api/workflows/templates/no-such-template/install', token: owner.token });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'workflow_template.not_found' });
  });

  it('installs a template that is not valid here yet as a paused draft whose validation says why', async () => {
    const owner = await registerTenant(t.app);
    const agentKind = findStepKind('ai_agent')!;
    // As on a server where the agent step cannot be used yet.
    const restore = replaceStepKind({ ...agentKind, check: (_config, checker) => checker.issue('agent', 'AI agents are not available yet.') });
    try {
      const response = await request(t.app, { method: 'POST', url: '/api/workflows/templates/talent-application/install', token: owner.token });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json<WorkflowSaved>()).toMatchObject({
        status: 'paused',
        templateId: 'talent-application',
        validation: { ok: false, issues: [{ nodeId: 'screen', path: 'nodes.0.config.agent', message: 'AI agents are not available yet.' }] },
      });
    } finally {
      restore();
    }
  });
});
