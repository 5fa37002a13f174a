import type { AiAgentList, AiRun, AiRunList } from '@omni/contracts/ai';
import { countText, networkRules } from '@omni/contracts/network-rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/** The agents on the offline provider (the default): deterministic, labelled, capped at confidence 0.6. */
describe('ai: offline agents', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await registerTenant(t.app);
    // Review off everywhere except content generation, which routes results below 0.7 to people.
    for (const workflowType of ['campaign_optimization', 'lead_processing', 'moderation']) {
      await request(t.app, { method: 'PUT', url: '/api/ai/hitl-policies', token: tenant.token, payload: { workflowType, mode: 'off', threshold: 0.8, deadlineMinutes: 60, escalationRole: 'admin', onTimeout: 'reject' } });
    }
    await request(t.app, { method: 'PUT', url: '/api/ai/hitl-policies', token: tenant.token, payload: { workflowType: 'content_generation', mode: 'below', threshold: 0.7, deadlineMinutes: 60, escalationRole: 'admin', onTimeout: 'reject' } });
  });
  afterAll(() => t?.close());

  async function run(agent: string, input: Record<string, unknown>): Promise<AiRun> {
    const response = await request(t.app, { method: 'POST', url: `/api/ai/agents/${agent}/runs`, token: tenant.token, payload: { input } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<AiRun>();
  }

  const brief = {
    brief: 'Launch of our organic sourdough bakery in Berlin: fresh bread, local flour and a weekend brunch.',
    goal: 'awareness',
    audience: 'young families in Berlin',
    channels: ['instagram', 'x'],
    startsOn: '2027-03-01',
    endsOn: '2027-03-21',
  };

  it('gives the same labelled result for the same input, every time', async () => {
    const first = await run('campaign-strategist', brief);
    const second = await run('campaign-strategist', brief);
    expect(first).toMatchObject({ status: 'approved', provider: 'offline', model: 'offline', costMicros: 0 });
    expect(second.output).toEqual(first.output);
    expect(first.explanation).toMatch(/^\[offline: rule-based, no AI model\]/);
    const output = first.output as { drafts: Array<{ network: 'instagram' | 'x'; text: string; suggestedAt: string }> };
    // One draft per channel per week over three weeks, inside the campaign's dates and the networks' limits.
    expect(output.drafts).toHaveLength(6);
    for (const draft of output.drafts) {
      expect(draft.suggestedAt >= '2027-03-01' && draft.suggestedAt <= '2027-03-21T23:59:59Z').toBe(true);
      expect(countText(draft.network, draft.text)).toBeLessThanOrEqual(networkRules[draft.network].maxText);
    }
  });

  it('caps offline confidence at 0.6, so a “below 0.7” policy sends the result to people', async () => {
    const rewrite = await run('copywriter', { text: 'Our sourdough bakery opens on Saturday with fresh bread and coffee for everyone in the neighbourhood. '.repeat(6), network: 'x', tone: 'bold' });
    expect(rewrite.confidence).toBeLessThanOrEqual(0.6);
    expect(rewrite.status).toBe('awaiting_review');
    const output = rewrite.output as { text: string; hashtags: string[] };
    expect(countText('x', [output.text, ...output.hashtags.map((tag) => `#${tag}`)].join(' '))).toBeLessThanOrEqual(networkRules.x.maxText);
    expect(output.text.startsWith('Big news:')).toBe(true);
  });

  it('analyses sentiment, moderates, scores leads and finds insights without a model', async () => {
    const sentiment = await run('sentiment-analyst', { texts: ['I love this wonderful bakery', 'Terrible service, awful bread'] });
    expect((sentiment.output as { items: Array<{ label: string }> }).items.map((item) => item.label)).toEqual(['positive', 'negative']);

    const moderation = await run('moderator', { text: 'Click here for free money!!! Call +49 170 1234567' });
    expect(moderation.output).toMatchObject({ allowed: false, categories: expect.arrayContaining(['spam', 'personal_data']) });
    expect((await run('moderator', { text: 'See you at the bakery on Saturday.' })).output).toMatchObject({ allowed: true, categories: [] });

    const lead = await run('lead-scorer', {
      lead: { email: 'ceo@acme.example', company: 'Acme', jobTitle: 'CEO', source: 'webinar', country: 'DE' },
      activities: [{ type: 'demo_request', at: '2027-03-01T10:00:00Z' }, { type: 'email_click', at: '2027-02-28T10:00:00Z' }],
      asOf: '2027-03-02T00:00:00Z',
    });
    // 10 business email + 5 company + 15 senior role + 30 demo + 5 click.
    expect(lead.output).toMatchObject({ score: 65, grade: 'hot' });

    const insights = await run('insights-analyst', {
      buckets: [
        { label: 'instagram · Tue 18:00', impressions: 1000, interactions: 80 },
        { label: 'instagram · Mon 09:00', impressions: 1000, interactions: 20 },
      ],
      series: [
        { label: 'W1', impressions: 1000, interactions: 20 },
        { label: 'W2', impressions: 1000, interactions: 40 },
      ],
    });
    const findings = (insights.output as { findings: Array<{ kind: string; title: string }> }).findings;
    expect(findings).toEqual(expect.arrayContaining([{ kind: 'best_bucket', title: 'Best: instagram · Tue 18:00', detail: expect.any(String) }, expect.objectContaining({ kind: 'trend', title: 'Engagement is rising' })]));
  });

  it('refuses translation offline with a clear reason, recorded on a failed run', async () => {
    const translation = await run('translator', { text: 'Frisches Brot', to: 'en' });
    expect(translation).toMatchObject({ status: 'failed', errorCode: 'ai.refused', provider: 'offline' });
    expect(translation.errorMessage).toMatch(/Translation needs an AI model/);
  });

  it('lists the catalogue with health, and the account’s runs with filters', async () => {
    const agents = (await request(t.app, { url: '/api/ai/agents', token: tenant.token })).json<AiAgentList>();
    expect(agents.items.map((agent) => agent.id)).toEqual(
      expect.arrayContaining(['campaign-strategist', 'copywriter', 'sentiment-analyst', 'lead-scorer', 'translator', 'moderator', 'insights-analyst']),
    );
    const translator = agents.items.find((agent) => agent.id === 'translator')!;
    expect(translator.worksOffline).toBe(false);
    expect(translator.health.runs24h).toBeGreaterThanOrEqual(1);
    expect(translator.health.errorRate).toBe(1);
    const strategist = agents.items.find((agent) => agent.id === 'campaign-strategist')!;
    expect(strategist.health).toMatchObject({ runs24h: 2, failed24h: 0, errorRate: 0 });
    const failed = (await request(t.app, { url: '/api/ai/runs?status=failed', token: tenant.token })).json<AiRunList>();
    expect(failed.items.map((item) => item.agent)).toEqual(['translator']);
    const other = await registerTenant(t.app);
    expect((await request(t.app, { url: '/api/ai/runs', token: other.token })).json<AiRunList>().items).toEqual([]);
    expect((await request(t.app, { url: `/api/ai/runs/${failed.items[0]!.id}`, token: other.token })).statusCode).toBe(404);
  });
});
