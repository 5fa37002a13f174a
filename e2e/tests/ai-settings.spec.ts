import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { demoPassword, expectAccessible, signIn, superAdmin, tokenOf, snap } from './helpers';

/**
 * AI settings and runs against the real platform (offline provider: deterministic, free, confidence ≤ 0.6):
 * the super admin locks two review policies through the API; Adam (tenant admin) sets a budget, changes a
 * policy, finds the locked one read-only and is told clearly when one is locked while he edits it; he tests
 * a provider connection that is refused; agent runs he starts through the API show in /ai/runs with their
 * detail (a queued run is followed until it finishes) and in the approvals inbox. Screenshots go to
 * e2e/artifacts.
 */

const admin = 'admin@northwind.test';
/** Screenshots under e2e/artifacts, named after this spec. */
const shot = (page: Page, name: string) => snap(page, `ai-settings-${name}`);

function authed(token: string) {
  return { authorization: `Bearer ${token}` };
}

type Session = { accessToken: string; scope: { tenantId: string; accountId: string | null } | null };

async function login(request: APIRequestContext, email: string): Promise<Session> {
  const response = await request.post('/api/auth/login', { data: { email, password: demoPassword } });
  expect(response.ok()).toBeTruthy();
  return (await response.json()) as Session;
}

/** The tenant admin's API session in Bella Café (a tenant admin may start in any account). */
async function adminInBella(request: APIRequestContext): Promise<string> {
  const bella = (await login(request, 'bella.editor@northwind.test')).scope!;
  const session = await login(request, admin);
  const response = await request.post('/api/auth/switch', { headers: authed(session.accessToken), data: { tenantId: bella.tenantId, accountId: bella.accountId } });
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as Session).accessToken;
}

async function switchAccount(page: Page, account: string) {
  await page.getByRole('button', { name: /Switch workspace/ }).click();
  await page.getByRole('menuitemradio', { name: account }).click();
  await expect(page.getByTestId('switcher-account')).toHaveText(account);
}

async function lockPlatformPolicy(request: APIRequestContext, token: string, workflowType: string) {
  const response = await request.put('/api/platform/ai/hitl-policies', {
    headers: authed(token),
    data: { workflowType, mode: 'always', threshold: 0.9, deadlineMinutes: 120, escalationRole: 'admin', onTimeout: 'escalate', locked: true },
  });
  expect(response.status(), await response.text()).toBe(200);
}

async function runAgent(request: APIRequestContext, token: string, agent: string, input: Record<string, unknown>, background = false) {
  const response = await request.post(`/api/ai/agents/${agent}/runs`, { headers: authed(token), data: { input, background } });
  expect(response.status(), await response.text()).toBe(background ? 202 : 201);
  return (await response.json()) as { id: string; status: string; approvalRequestId: string | null };
}

const policyRow = (page: Page, workflowType: string) => page.locator(`[data-testid="hitl-policy-row"][data-workflow="${workflowType}"]`);

test('an admin sets the AI budget and review policies, meets platform locks, and follows agent runs to their review', async ({ page, browser, request }) => {
  test.setTimeout(3 * 60_000);
  const superToken = await tokenOf(request, superAdmin);
  const adminToken = await adminInBella(request);
  await lockPlatformPolicy(request, superToken, 'moderation');

  const copy = await runAgent(request, adminToken, 'copywriter', { text: 'Our autumn menu is here: pumpkin soup and fresh sourdough bread every morning', network: 'instagram', tone: 'friendly' });
  // Offline results are capped at 0.6 confidence, below the default 0.8 threshold: a person reviews them.
  expect(copy.status).toBe('awaiting_review');
  const refused = await runAgent(request, adminToken, 'translator', { text: 'Hallo Welt', from: 'de', to: 'en' });
  expect(refused.status).toBe('failed');

  await signIn(page, admin);
  await switchAccount(page, 'Bella Café');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI settings' }).click();
  await expect(page.getByRole('heading', { name: 'AI settings', level: 1 })).toBeVisible();
  await expect(page.getByTestId('ai-platform-provider')).toContainText('Offline (rules, no AI model)');
  await expect(page.getByText('Using the platform’s provider')).toBeVisible();

  // Budget: $25 a month, alert at 75 %.
  await page.getByLabel('Monthly limit (USD)').fill('25');
  await page.getByLabel('Alert at (% of the limit)').fill('75');
  await page.getByRole('button', { name: 'Save budget' }).click();
  await expect(page.getByText('The budget is saved.')).toBeVisible();
  await expect(page.getByTestId('ai-budget-progress')).toContainText('of $25.00 this month');
  const budget = (await (await request.get('/api/ai/budget', { headers: authed(adminToken) })).json()) as { monthlyLimitMicros: number; alertAtPercent: number; hardStop: boolean };
  expect(budget).toMatchObject({ monthlyLimitMicros: 25_000_000, alertAtPercent: 75, hardStop: true });

  // Usage of the runs above (offline: calls, no cost).
  await expect(page.getByTestId('ai-usage-row').filter({ hasText: 'Copywriter' })).toBeVisible();

  // A policy of the workspace's own: content generation always goes to review.
  const content = policyRow(page, 'content_generation');
  await expect(content.getByRole('button', { name: 'Save the policy for Content generation' })).toBeDisabled();
  await content.getByLabel('Review for Content generation').selectOption('always');
  await content.getByLabel('Deadline in minutes for Content generation').fill('90');
  await content.getByRole('button', { name: 'Save the policy for Content generation' }).click();
  await expect(content.getByText('Saved.')).toBeVisible();
  await expect(content.getByText('Your policy')).toBeVisible();
  await expect(content.getByText('1 h 30 min')).toBeVisible();
  const policies = (await (await request.get('/api/ai/hitl-policies', { headers: authed(adminToken) })).json()) as { items: Array<{ workflowType: string; mode: string; deadlineMinutes: number; source: string }> };
  expect(policies.items.find((item) => item.workflowType === 'content_generation')).toMatchObject({ mode: 'always', deadlineMinutes: 90, source: 'tenant' });

  // The platform's lock: shown, read-only, no save.
  const moderation = policyRow(page, 'moderation');
  await expect(moderation.getByText('Set by the platform')).toBeVisible();
  await expect(moderation.getByLabel('Review for Moderation')).toBeDisabled();
  await expect(moderation.getByLabel('Review for Moderation')).toHaveValue('always');
  await expect(moderation.getByRole('button', { name: /Save the policy/ })).toHaveCount(0);

  // Locked while Adam edits it: the refusal (403 ai.policy_locked) is said in the row, which turns read-only.
  const leads = policyRow(page, 'lead_processing');
  await leads.getByLabel('Review for Lead processing').selectOption('off');
  await lockPlatformPolicy(request, superToken, 'lead_processing');
  await leads.getByRole('button', { name: 'Save the policy for Lead processing' }).click();
  await expect(leads.getByRole('alert')).toHaveText('The platform has locked this policy meanwhile; only a super admin can change it.');
  await expect(leads.getByText('Set by the platform')).toBeVisible();
  await expect(leads.getByLabel('Review for Lead processing')).toBeDisabled();
  await expectAccessible(page);
  await shot(page, 'settings-ai');

  // An own provider on a private address is refused by "Test connection", with the reason; nothing is saved.
  await page.getByRole('button', { name: 'Use our own provider' }).click();
  const form = page.getByTestId('ai-provider-form');
  await form.getByLabel('Provider').selectOption('openai-compatible');
  await form.getByLabel('Default model').fill('llama3.1');
  await form.getByLabel('Base URL').fill('http://127.0.0.1:11434/v1');
  await form.getByLabel('API key').fill('sk-local-test-key');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('ai-test-result')).toContainText('The connection failed');
  await expect(page.getByTestId('ai-test-result')).toContainText('Omni cannot call this AI endpoint');
  await shot(page, 'settings-ai-own-provider');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('Using the platform’s provider')).toBeVisible();

  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'settings-ai-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // The runs: newest first, filters, and the empty state of a filter with no match.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI runs' }).click();
  await expect(page.getByRole('heading', { name: 'AI runs', level: 1 })).toBeVisible();
  const copyRow = page.getByTestId('ai-run-row').filter({ hasText: 'Copywriter' });
  await expect(copyRow).toContainText('Awaiting review');
  await expect(page.getByTestId('ai-run-row').filter({ hasText: 'Translator' })).toContainText('Failed');
  await expectAccessible(page);
  await shot(page, 'runs');
  await page.getByLabel('Status').selectOption('expired');
  await expect(page.getByText('No runs match these filters')).toBeVisible();
  await shot(page, 'runs-empty-filtered');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Agent').selectOption('translator');
  await expect(page.getByTestId('ai-run-row')).toHaveCount(1);
  await page.getByTestId('ai-run-row').click();
  await expect(page.getByTestId('ai-run-error')).toContainText('The agent refused this request');
  await expect(page.getByTestId('ai-run-error')).toContainText('Translation needs an AI model');
  await shot(page, 'run-failed');

  // The copywriter's run: readable output, confidence under the threshold, the way to its review.
  await page.goto(`/ai/runs/${copy.id}`);
  await expect(page.getByRole('heading', { name: 'Copywriter run', level: 1 })).toBeVisible();
  await expect(page.getByTestId('ai-run-explanation')).toContainText('[offline: rule-based, no AI model]');
  await expect(page.getByTestId('ai-output-summary')).toContainText('pumpkin soup');
  await expect(page.getByRole('meter', { name: 'Confidence' })).toHaveAttribute('aria-valuenow', '50');
  await expect(page.getByText('Below the review threshold 0.80: a person decides.')).toBeVisible();
  await expect(page.getByTestId('ai-run-decision')).toContainText('Waiting for a person to review it');
  await page.getByText('Output (JSON)').click();
  await expect(page.locator('pre').first()).toContainText('"hashtags"');
  await expectAccessible(page);
  await shot(page, 'run-detail');
  await page.getByRole('link', { name: 'Review it' }).first().click();
  await expect(page).toHaveURL(new RegExp(`/approvals/${copy.approvalRequestId}$`));
  const preview = page.getByTestId('ai-run-preview');
  await expect(preview.getByRole('heading', { name: 'Copywriter' })).toBeVisible();
  await expect(preview).toContainText('pumpkin soup');
  await expect(preview.getByRole('meter', { name: 'Confidence' })).toBeVisible();
  await shot(page, 'approval-ai-run');

  // A queued run: its page follows it until the worker has finished it (moderation is locked to "always").
  const queued = await runAgent(request, adminToken, 'sentiment-analyst', { texts: ['I love the new terrace', 'The coffee was cold'] }, true);
  expect(queued.status).toBe('queued');
  await page.goto(`/ai/runs/${queued.id}`);
  await expect(page.getByRole('heading', { name: 'Sentiment analyst run', level: 1 })).toBeVisible();
  await expect(page.getByTestId('ai-output-summary')).toContainText('Overall sentiment', { timeout: 30_000 });
  await expect(page.getByText('Awaiting review', { exact: true })).toBeVisible();
  await expect(page.getByText('Set by the platform')).toBeVisible();
  await expect(page.getByTestId('ai-run-settling')).toHaveCount(0);
  await shot(page, 'run-detail-queued-finished');

  // In another account of the workspace there are no runs yet.
  await switchAccount(page, 'Urban Threads');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI runs' }).click();
  await expect(page.getByText('No agent runs yet')).toBeVisible();
  await shot(page, 'runs-empty');

  // An editor of Bella Café sees the account's runs but not the AI settings (tenant admins only).
  const editorContext = await browser.newContext();
  const editor = await editorContext.newPage();
  await signIn(editor, 'bella.editor@northwind.test');
  const editorNav = editor.getByRole('navigation', { name: 'Main' });
  await expect(editorNav.getByRole('link', { name: 'AI settings' })).toHaveCount(0);
  await editorNav.getByRole('link', { name: 'AI runs' }).click();
  await expect(editor.getByTestId('ai-run-row').filter({ hasText: 'Copywriter' })).toBeVisible();
  await editor.goto('/settings/ai');
  await expect(editor.getByTestId('no-access')).toBeVisible();
  await editorContext.close();

  // The super admin's page shows the locks as set.
  const platformContext = await browser.newContext();
  const platform = await platformContext.newPage();
  await signIn(platform, superAdmin);
  await platform.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Platform AI' }).click();
  await expect(platform.getByRole('heading', { name: 'Platform AI', level: 1 })).toBeVisible();
  await expect(policyRow(platform, 'moderation').getByRole('checkbox', { name: 'Lock the policy for Moderation' })).toBeChecked();
  await expect(policyRow(platform, 'content_generation').getByRole('checkbox', { name: 'Lock the policy for Content generation' })).not.toBeChecked();
  // Agent health over every workspace: the failed offline translation above is the translator's last error.
  const translatorRow = platform.getByRole('row').filter({ hasText: 'Translator' });
  await expect(translatorRow).toContainText('ai.refused');

  // "Test connection" of the platform provider (offline here: its one model, no network call).
  await platform.getByTestId('ai-provider-form').getByRole('button', { name: 'Test connection' }).click();
  await expect(platform.getByTestId('ai-test-result')).toContainText('Connected: 1 model available.');
  await expect(platform.getByTestId('ai-test-result')).toContainText('offline');

  // Model prices: the seeded list prices; a new one (a wrong amount is explained first), changed, removed.
  const priceRow = (model: string) => platform.locator(`[data-testid="ai-price-row"][data-model="${model}"]`);
  const storedPrice = async (model: string) => {
    const list = (await (await request.get('/api/platform/ai/prices', { headers: authed(superToken) })).json()) as { items: Array<{ model: string; inputMicrosPerMillion: number; outputMicrosPerMillion: number }> };
    return list.items.find((item) => item.model === model);
  };
  await expect(priceRow('gpt-4o-mini')).toContainText('$0.15');
  await expect(priceRow('gpt-4o-mini')).toContainText('$0.60');
  const llama = 'meta-llama/llama-3.1-8b';
  await platform.getByRole('button', { name: 'Add price' }).click();
  const priceEditor = platform.getByTestId('ai-price-editor');
  await priceEditor.getByLabel('Provider').selectOption('openai-compatible');
  await priceEditor.getByLabel('Model', { exact: true }).fill(llama);
  await priceEditor.getByLabel('Input price').fill('five cents');
  await priceEditor.getByLabel('Output price').fill('0.08');
  await priceEditor.getByRole('button', { name: 'Save price' }).click();
  await expect(priceEditor.getByRole('alert')).toHaveText('Enter an amount like 2.50 (up to six decimals).');
  await shot(platform, 'platform-ai-price-invalid');
  await priceEditor.getByLabel('Input price').fill('0.05');
  await priceEditor.getByRole('button', { name: 'Save price' }).click();
  await expect(platform.getByText(`The price of ${llama} is saved.`)).toBeVisible();
  await expect(priceRow(llama)).toContainText('$0.05');
  await expect(priceRow(llama)).toContainText('Not used');
  expect(await storedPrice(llama)).toMatchObject({ inputMicrosPerMillion: 50_000, outputMicrosPerMillion: 80_000 });
  await platform.getByRole('button', { name: `Edit the price of ${llama}` }).click();
  await priceEditor.getByLabel('Output price').fill('0,1');
  await priceEditor.getByRole('button', { name: 'Save price' }).click();
  await expect(priceRow(llama)).toContainText('$0.10');
  expect(await storedPrice(llama)).toMatchObject({ inputMicrosPerMillion: 50_000, outputMicrosPerMillion: 100_000 });
  await expectAccessible(platform);
  await shot(platform, 'platform-ai');
  await platform.getByRole('button', { name: `Remove the price of ${llama}` }).click();
  const removeDialog = platform.getByRole('dialog', { name: `Remove the price of ${llama}?` });
  await removeDialog.getByRole('button', { name: 'Remove' }).click();
  await expect(platform.getByText(`The price of ${llama} is removed.`)).toBeVisible();
  await expect(priceRow(llama)).toHaveCount(0);
  expect(await storedPrice(llama)).toBeUndefined();
  await platform.emulateMedia({ colorScheme: 'dark' });
  await shot(platform, 'platform-ai-dark');
  await platformContext.close();
});
