import type { AiRun } from '@omni/contracts/ai';
import { createCampaignBodySchema, type Campaign } from '@omni/contracts/campaigns';
import type { Scope } from '@omni/contracts/identity';
import { describe, expect, it } from 'vitest';
import {
  budgetToMicros,
  campaignBodyOf,
  campaignFormSchema,
  campaignFormValues,
  campaignPollInterval,
  campaignsAccessOf,
  copywriterSuggestionOf,
  formatBudget,
  formatKpiValue,
  formatPredictionValue,
  isOfflineResult,
  kpiTargetOf,
  kpiTargetText,
  microsToBudget,
  progressPercent,
  runPhaseOf,
  runPollInterval,
  strategistOutputOf,
  wordDiff,
} from './campaignsApi';

const scope = (overrides: Partial<Scope>): Scope =>
  ({ tenantId: '00000000-0000-4000-8000-000000000001', accountId: '00000000-0000-4000-8000-000000000002', tenantRole: null, accountRole: null, ...overrides }) as Scope;

const runId = '00000000-0000-4000-8000-0000000000aa';
const run = (overrides: Partial<AiRun>): AiRun => ({ id: runId, status: 'running', output: null, explanation: null, ...overrides }) as AiRun;

describe('who uses campaigns and the AI studio (mirrors campaigns and ai permissions)', () => {
  it('lets viewers read, contributors write, editors generate and run agents, tenant admins everything', () => {
    expect(campaignsAccessOf(scope({ accountRole: 'client' }))).toMatchObject({ canRead: false, canWrite: false, canGenerate: false });
    expect(campaignsAccessOf(scope({ accountRole: 'viewer' }))).toMatchObject({ canRead: true, canWrite: false, canGenerate: false });
    expect(campaignsAccessOf(scope({ accountRole: 'contributor' }))).toMatchObject({ canRead: true, canWrite: true, canGenerate: false, canRunAgents: false });
    expect(campaignsAccessOf(scope({ accountRole: 'editor' }))).toMatchObject({ canWrite: true, canGenerate: true, canRunAgents: true });
    expect(campaignsAccessOf(scope({ tenantRole: 'admin', accountId: null }))).toMatchObject({ canRead: true, canGenerate: true, hasAccount: false });
    expect(campaignsAccessOf(null)).toMatchObject({ canRead: false, hasAccount: false });
  });
});

describe('following a run', () => {
  it('groups statuses into working, review, done and stopped', () => {
    expect(runPhaseOf('queued')).toBe('working');
    expect(runPhaseOf('running')).toBe('working');
    expect(runPhaseOf('awaiting_review')).toBe('review');
    expect(runPhaseOf('approved')).toBe('done');
    expect(runPhaseOf('succeeded')).toBe('done');
    for (const status of ['rejected', 'expired', 'failed'] as const) expect(runPhaseOf(status)).toBe('stopped');
  });

  it('polls fast while a run works, slowly while people review it, and stops once decided', () => {
    expect(runPollInterval('queued')).toBe(1_500);
    expect(runPollInterval('awaiting_review')).toBe(5_000);
    expect(runPollInterval('approved')).toBe(false);
    expect(runPollInterval('failed')).toBe(false);
    expect(runPollInterval(undefined)).toBe(false);
  });

  it('keeps reloading an approved campaign until the strategy of that run is stored', () => {
    const approved = run({ status: 'approved' });
    expect(campaignPollInterval({ latestRun: approved, strategy: null })).toBe(2_000);
    expect(campaignPollInterval({ latestRun: approved, strategy: { runId } as Campaign['strategy'] })).toBe(false);
    // An older strategy does not count: the new run's drafts are still on their way.
    expect(campaignPollInterval({ latestRun: approved, strategy: { runId: '00000000-0000-4000-8000-0000000000bb' } as Campaign['strategy'] })).toBe(2_000);
    expect(campaignPollInterval({ latestRun: run({ status: 'awaiting_review' }), strategy: null })).toBe(5_000);
    expect(campaignPollInterval({ latestRun: run({ status: 'rejected' }), strategy: null })).toBe(false);
    expect(campaignPollInterval({ latestRun: null, strategy: null })).toBe(false);
    expect(campaignPollInterval(undefined)).toBe(false);
  });

  it('recognises results of the offline provider by their label', () => {
    expect(isOfflineResult('[offline: rule-based, no AI model] The awareness template…')).toBe(true);
    expect(isOfflineResult('The model weighed the brief…')).toBe(false);
    expect(isOfflineResult(null)).toBe(false);
  });

  it('reads the strategist’s output once there is one, and nothing from other shapes', () => {
    const output = {
      strategy: { summary: 'A 2-week awareness campaign', keyMessages: ['Highlight espresso'], tone: 'friendly' },
      channelPlan: [{ network: 'sandbox', postsPerWeek: 1, focus: 'awareness: espresso' }],
      drafts: [{ network: 'sandbox', text: 'Meet espresso', suggestedAt: '2030-01-02T10:00:00.000Z' }],
      confidence: 0.5,
      explanation: '[offline: rule-based, no AI model] …',
    };
    expect(strategistOutputOf(run({ output }))).toMatchObject({ strategy: output.strategy, drafts: output.drafts });
    expect(strategistOutputOf(run({ output: null }))).toBeNull();
    expect(strategistOutputOf(run({ output: { text: 'a copywriter result', hashtags: [] } }))).toBeNull();
    expect(strategistOutputOf(run({ output: { ...output, drafts: [{ network: 'myspace', text: 'x', suggestedAt: 'y' }] } }))).toBeNull();
  });

  it('turns the copywriter’s rewrite and hashtags into the text to apply, without repeating a hashtag', () => {
    expect(copywriterSuggestionOf(run({ output: { text: 'Hi there! Fresh cornetti today. ', hashtags: ['cornetti', '#bakery'] } }))).toBe('Hi there! Fresh cornetti today. #cornetti #bakery');
    expect(copywriterSuggestionOf(run({ output: { text: 'Fresh #Cornetti today', hashtags: ['cornetti', 'bakery', 'bakery'] } }))).toBe('Fresh #Cornetti today #bakery');
    expect(copywriterSuggestionOf(run({ output: { text: 'Plain', hashtags: [] } }))).toBe('Plain');
    expect(copywriterSuggestionOf(run({ output: null }))).toBeNull();
  });
});

describe('showing suggestions and predictions', () => {
  it('diffs word by word, keeping whitespace, so that the parts rebuild both texts', () => {
    const before = 'Fresh cornetti every morning.';
    const after = 'Hi there! Fresh cornetti every single morning. #bakery';
    const changes = wordDiff(before, after);
    expect(changes.filter((change) => change.op !== 'insert').map((change) => change.text).join('')).toBe(before);
    expect(changes.filter((change) => change.op !== 'delete').map((change) => change.text).join('')).toBe(after);
    expect(changes.filter((change) => change.op === 'insert').map((change) => change.text.trim())).toEqual(['Hi there!', 'single', '#bakery']);
    expect(wordDiff('same text', 'same text')).toEqual([{ op: 'equal', text: 'same text' }]);
  });

  it('formats rates per impression as percentages and counts as numbers', () => {
    expect(formatPredictionValue(0.0345, 'per_impression', 'en')).toBe('3.45%');
    expect(formatPredictionValue(0.0345, 'per_impression', 'de')).toBe('3,45\u00a0%');
    expect(formatPredictionValue(12.34, 'count', 'en')).toBe('12.3');
  });

  it('draws KPI progress between 0 and 100', () => {
    expect(progressPercent(0.426)).toBe(43);
    expect(progressPercent(1.7)).toBe(100);
    expect(progressPercent(-1)).toBe(0);
    expect(progressPercent(null)).toBe(0);
    expect(formatKpiValue('engagement_rate', 0.035, 'en')).toBe('3.5%');
    expect(formatKpiValue('impressions', 12500, 'en')).toBe('12,500');
  });
});

describe('the campaign form', () => {
  it('reads budgets the way people type them, in micro-units', () => {
    expect(budgetToMicros('')).toBeNull();
    expect(budgetToMicros('1500')).toBe(1_500_000_000);
    expect(budgetToMicros('1,500.50')).toBe(1_500_500_000);
    expect(budgetToMicros('1.500,5')).toBe(1_500_500_000);
    expect(budgetToMicros('1 500')).toBe(1_500_000_000);
    expect(budgetToMicros('12.5')).toBe(12_500_000);
    expect(budgetToMicros('abc')).toBeNaN();
    expect(budgetToMicros('-5')).toBeNaN();
    expect(microsToBudget(1_500_500_000)).toBe('1500.5');
    expect(microsToBudget(null)).toBe('');
    expect(formatBudget(1_500_000_000, 'EUR', 'en')).toBe('€1,500.00');
  });

  it('takes engagement-rate targets in percent and stores fractions', () => {
    expect(kpiTargetOf('engagement_rate', '3,5')).toBeCloseTo(0.035);
    expect(kpiTargetOf('impressions', '10000')).toBe(10_000);
    expect(kpiTargetOf('likes', '')).toBeNaN();
    expect(kpiTargetText('engagement_rate', 0.035)).toBe('3.5');
    expect(kpiTargetText('clicks', 250)).toBe('250');
  });

  it('makes a body the contract accepts from a filled-in form, and one it refuses with field paths otherwise', () => {
    const values = {
      ...campaignFormValues(null, new Date('2030-01-10T12:00:00Z')),
      name: 'Autumn espresso',
      channels: ['sandbox' as const],
      budget: '1,500',
      currency: 'eur',
      kpis: [{ metric: 'engagement_rate' as const, target: '4' }],
      brief: 'Our new single-origin espresso for students.',
    };
    expect(values.startsOn).toBe('2030-01-11');
    expect(values.endsOn).toBe('2030-02-07');
    const parsed = createCampaignBodySchema.safeParse(campaignBodyOf(values));
    expect(parsed.success && parsed.data).toMatchObject({ budgetMicros: 1_500_000_000, currency: 'EUR', kpis: [{ metric: 'engagement_rate', target: 0.04 }] });

    expect(campaignFormSchema.parse(campaignBodyOf(values))).toEqual(parsed.success ? parsed.data : null);

    // Every field's issue at once; amounts that are not numbers in words of the form, not "expected number".
    const wrong = campaignFormSchema.safeParse(campaignBodyOf({ ...values, name: ' ', channels: [], budget: 'lots', kpis: [{ metric: 'likes', target: '' }] }));
    expect(wrong.success).toBe(false);
    const issues = Object.fromEntries(wrong.error!.issues.map((issue) => [issue.path.join('.'), issue.message]));
    expect(issues).toEqual({
      name: 'Name the campaign.',
      channels: 'Choose at least one channel.',
      budgetMicros: 'Enter the budget as an amount, e.g. 1500 or 1,500.50.',
      'kpis.0.target': 'Enter each KPI’s target as a number.',
    });
    const backwards = campaignFormSchema.safeParse(campaignBodyOf({ ...values, endsOn: '2030-01-01' }));
    expect(backwards.error?.issues).toEqual([expect.objectContaining({ path: ['endsOn'], message: 'The campaign must end on or after its start.' })]);
  });

  it('shows an existing campaign as it is stored', () => {
    const campaign = { name: 'Spring', goal: 'sales', audience: 'Regulars', channels: ['x'], startsOn: '2030-03-01', endsOn: '2030-03-31', budgetMicros: 250_000_000, currency: 'USD', kpis: [{ metric: 'engagement_rate', target: 0.05 }], brief: 'B' } as Campaign;
    expect(campaignFormValues(campaign)).toEqual({ name: 'Spring', goal: 'sales', audience: 'Regulars', channels: ['x'], startsOn: '2030-03-01', endsOn: '2030-03-31', budget: '250', currency: 'USD', kpis: [{ metric: 'engagement_rate', target: '5' }], brief: 'B' });
  });
});
