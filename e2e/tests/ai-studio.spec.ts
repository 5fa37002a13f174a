import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible, signIn, snap, tokenOf, uniqueSuffix } from './helpers';

/**
 * The journey of issue 6 against the real platform (offline AI provider, the worker running): Bruno
 * (Bella Café's account admin) writes a brief for a new campaign on the Sandbox channel in the AI studio
 * and generates. The strategist's offline result is labelled and, under the default policy (below 0.8),
 * goes to review; Bruno asked for it, so the studio sends it to reviewers. Eva (editor) approves the plan
 * right in the studio; the drafts appear with their predicted performance; Bruno sends them to approval;
 * Eva approves them in the approvals inbox, and the scheduled posts show in the content calendar.
 */

const accountAdmin = 'bella.admin@northwind.test';
const editor = 'bella.editor@northwind.test';

const day = (offsetDays: number) => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + offsetDays)).toISOString().slice(0, 10);

async function api<T>(request: APIRequestContext, token: string, path: string): Promise<T> {
  const response = await request.get(path, { headers: { authorization: `Bearer ${token}` } });
  expect(response.ok(), await response.text()).toBeTruthy();
  return (await response.json()) as T;
}

async function waitForPostStatus(request: APIRequestContext, token: string, postId: string, status: string) {
  await expect
    .poll(async () => (await api<{ status: string }>(request, token, `/api/content/posts/${postId}`)).status, { timeout: 60_000, intervals: [1_000, 2_000], message: `post ${postId} ${status}` })
    .toBe(status);
}

async function openStudio(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI studio' }).click();
  await expect(page.getByRole('heading', { name: 'AI studio', level: 1 })).toBeVisible();
}

test('a brief becomes an approved plan, drafts with predictions go to approval, and the approved posts are scheduled in the calendar', async ({ browser, page, request }) => {
  test.setTimeout(5 * 60_000);
  const suffix = uniqueSuffix();
  const name = `Espresso fortnight ${suffix}`;
  const editorToken = await tokenOf(request, editor);

  // 1. The brief, for a new campaign on the Sandbox channel: two weeks from tomorrow.
  await signIn(page, accountAdmin);
  await openStudio(page);
  await expect(page.getByRole('listitem').filter({ hasText: 'Brief' }).first()).toHaveAttribute('aria-current', 'step');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Goal').selectOption('awareness');
  await page.getByLabel('Audience').fill('students near the campus');
  await page.getByRole('checkbox', { name: /Sandbox/ }).check();
  await page.getByLabel('Starts on').fill(day(1));
  await page.getByLabel('Ends on').fill(day(14));
  await page.getByLabel('Brief').fill(`Our new single-origin espresso from Ethiopia, with a free cornetto for students in the first week. ${suffix}`);
  await snap(page, 'ai-studio-brief');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Generate' }).click();

  // 2. The run, live; its output as soon as there is one, labelled as the offline provider's.
  await expect(page).toHaveURL(/\/ai\/studio\?campaignId=[0-9a-f-]{36}/);
  const campaignId = new URL(page.url()).searchParams.get('campaignId')!;
  const output = page.getByTestId('strategist-output');
  await expect(output).toBeVisible({ timeout: 30_000 });
  await expect(output.getByText('Offline result')).toBeVisible();
  await expect(output.getByTestId('draft-preview')).toHaveCount(2);
  await expect(output.getByTestId('strategy')).toContainText('2-week awareness campaign');

  // 3. The offline result's confidence (0.5) is below the default policy's 0.8: it waits for review. Bruno
  // asked for it and may review it himself (AI work allows that), or leave it to a colleague.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'awaiting_review');
  await expect(page.getByTestId('studio-review')).toContainText('You may decide');
  await expect(page.getByRole('listitem').filter({ hasText: 'Review' }).first()).toHaveAttribute('aria-current', 'step');
  await snap(page, 'ai-studio-awaiting-review');
  await expectAccessible(page);

  // Eva finds the campaign, opens it in the studio and approves the plan there.
  const editorContext = await browser.newContext();
  const editorPage = await editorContext.newPage();
  await signIn(editorPage, editor);
  await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await editorPage.getByLabel('Search').fill(suffix);
  const row = editorPage.getByTestId('campaign-row').filter({ hasText: name });
  await expect(row.getByText('Draft', { exact: true })).toBeVisible();
  await snap(editorPage, 'ai-studio-campaigns-list');
  await expectAccessible(editorPage);
  await row.getByRole('link', { name }).click();
  await expect(editorPage.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(editorPage.getByTestId('run-status')).toContainText('Waiting for review');
  await editorPage.getByRole('link', { name: 'Open in AI studio' }).click();
  const review = editorPage.getByTestId('studio-review');
  await expect(review).toContainText('You may decide');
  await snap(editorPage, 'ai-studio-editor-review');
  await review.getByRole('button', { name: 'Approve' }).click();
  await expect(editorPage.getByText('Plan approved.')).toBeVisible();

  // The drafts appear on Bruno's page (it polls), each with its predicted engagement.
  const posts = page.getByTestId('campaign-post-row');
  await expect(posts).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'approved');
  for (const post of await posts.all()) {
    await expect(post.getByText('Draft', { exact: true })).toBeVisible();
    await expect(post.getByTestId('prediction')).toBeVisible();
    await expect(post.getByTestId('prediction')).toContainText(/\d%/);
  }
  await expect(page.getByRole('listitem').filter({ hasText: 'Send to approval' }).first()).toHaveAttribute('aria-current', 'step');
  await snap(page, 'ai-studio-drafts');
  await expectAccessible(page);
  const postIds = await posts.evaluateAll((rows) => rows.map((element) => element.getAttribute('data-post-id')!));
  const titles = await Promise.all(postIds.map(async (postId) => (await api<{ title: string }>(request, editorToken, `/api/content/posts/${postId}`)).title));
  expect(titles.every((title) => title.startsWith(`${name} · Sandbox · week`))).toBe(true);

  // 4. Bruno sends the drafts to approval.
  await page.getByRole('button', { name: 'Send 2 drafts to approval' }).click();
  await expect(page.getByTestId('submit-result')).toContainText('2 drafts submitted for approval.');
  await expect(posts.first().getByText('In review', { exact: true })).toBeVisible();
  await snap(page, 'ai-studio-sent');
  await expectAccessible(page);

  // Eva approves both in the approvals inbox; each approval schedules the post at its suggested time.
  for (const [index, title] of titles.entries()) {
    await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await expect(editorPage.getByRole('heading', { name: 'Approvals', level: 1 })).toBeVisible();
    const request_ = editorPage.getByTestId('approval-row').filter({ hasText: title });
    await expect(request_).toBeVisible();
    if (index === 0) await snap(editorPage, 'ai-studio-inbox');
    await request_.getByRole('link', { name: 'Open' }).click();
    await expect(editorPage.getByRole('heading', { name: title, level: 1 })).toBeVisible();
    await editorPage.getByRole('button', { name: 'Approve' }).click();
    await expect(editorPage.getByTestId('approval-decision')).toContainText('Approved by Eva Editor');
  }
  for (const postId of postIds) await waitForPostStatus(request, editorToken, postId, 'scheduled');

  // The calendar shows them scheduled (the first is two days from now, always in the month grid).
  await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
  const first = editorPage.locator(`[data-testid="calendar-item"][data-post-id="${postIds[0]}"]`);
  await expect(first).toContainText('Scheduled');
  await snap(editorPage, 'ai-studio-calendar');

  // The campaign page: the strategy, the KPIs card and the posts, now scheduled.
  await page.goto(`/campaigns/${campaignId}`);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page.getByText('Planned', { exact: true }).first()).toBeVisible();
  await expect(page.getByTestId('strategy')).toBeVisible();
  await expect(page.getByTestId('campaign-post-row').getByText('Scheduled', { exact: true })).toHaveCount(2);
  await snap(page, 'ai-studio-campaign-detail');
  await expectAccessible(page);

  // Back in the studio, an existing campaign continues where it is (or generates again from its brief).
  await openStudio(page);
  await page.getByRole('radio', { name: 'Existing campaign' }).click();
  await page.getByLabel('Campaign', { exact: true }).selectOption({ label: name });
  await expect(page.getByLabel('Brief')).toHaveValue(/single-origin espresso/);
  await snap(page, 'ai-studio-existing');
  await page.getByRole('button', { name: 'Continue with its latest plan' }).click();
  await expect(page.getByTestId('campaign-post-row')).toHaveCount(2);
  await expect(page.getByText('No drafts left to send.')).toBeVisible();
  await editorContext.close();
});

test('the post editor predicts each network’s engagement and optimizes its text with the copywriter, applied after review', async ({ browser, page, request }) => {
  test.setTimeout(3 * 60_000);
  const suffix = uniqueSuffix();
  const title = `Cornetto morning ${suffix}`;
  const text = `Fresh pistachio cornetti every morning from seven, warm from the oven ${suffix}`;
  await signIn(page, accountAdmin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Posts' }).click();
  await page.getByRole('link', { name: 'New post' }).first().click();
  await page.getByLabel('Internal name').fill(title);
  await page.getByRole('checkbox', { name: /^Bella Café · Sandbox/ }).check();
  await page.getByTestId('base-text').fill(text);

  // The prediction follows the text (debounced): rate, interval and basis, with the explanation.
  const panel = page.getByTestId('prediction-panel');
  await expect(panel.getByTestId('prediction')).toBeVisible();
  await expect(panel.getByTestId('prediction')).toContainText(/\d%.*Your (history|model)|Industry default/);
  await expect(panel).toContainText('published sandbox posts');
  await page.getByTestId('save-post').click();
  await expect(page.getByText('Saved as revision 1.')).toBeVisible();

  // Optimize: the copywriter's offline result is shown as a diff and waits for review (campaign optimization policy).
  const optimize = page.getByTestId('optimize-panel');
  await optimize.getByLabel('Tone').selectOption('friendly');
  await optimize.getByRole('button', { name: 'Optimize with AI' }).click();
  await expect(optimize.getByTestId('optimize-diff').locator('ins').first()).toContainText('Hi there!');
  await expect(optimize.getByText('Offline result')).toBeVisible();
  await expect(optimize.getByTestId('run-status')).toHaveAttribute('data-status', 'awaiting_review');
  await expect(optimize.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  await snap(page, 'ai-studio-optimize-review');
  await expectAccessible(page);

  // Eva approves the suggestion in her inbox; the panel notices and offers "Apply".
  const editorContext = await browser.newContext();
  const editorPage = await editorContext.newPage();
  await signIn(editorPage, editor);
  await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  const row = editorPage.getByTestId('approval-row').filter({ hasText: 'AI copywriter result' }).first();
  await row.getByRole('link', { name: 'Open' }).click();
  await editorPage.getByRole('button', { name: 'Approve' }).click();
  await expect(editorPage.getByTestId('approval-decision')).toContainText('Approved by Eva Editor');
  await editorContext.close();

  await optimize.getByRole('button', { name: 'Apply' }).click({ timeout: 30_000 });
  await expect(optimize.getByText('Applied. Save to keep it as a new revision.')).toBeVisible();
  const variant = page.getByLabel('Text on Sandbox');
  await expect(variant).toHaveValue(new RegExp(`^Hi there! ${text}`));
  await snap(page, 'ai-studio-optimize-applied');
  await page.getByTestId('save-post').click();
  await expect(page.getByText('Saved as revision 2.')).toBeVisible();
  const postId = page.url().split('/').pop()!;
  const saved = await api<{ variants: Array<{ network: string; text: string | null }> }>(request, await tokenOf(request, accountAdmin), `/api/content/posts/${postId}`);
  expect(saved.variants.find((item) => item.network === 'sandbox')?.text).toMatch(/^Hi there! /);
});

test('a campaign made from the list shows the schema’s and the server’s field errors where they belong, then is edited and archived', async ({ page }) => {
  const suffix = uniqueSuffix();
  const name = `Terrace season ${suffix}`;
  await signIn(page, accountAdmin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await expect(page.getByRole('heading', { name: 'Campaigns', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'New campaign' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New campaign' });

  // The contract's schema, before anything is sent.
  await dialog.getByRole('button', { name: 'Create campaign' }).click();
  await expect(dialog.getByText('Name the campaign.')).toBeVisible();
  await expect(dialog.getByText('Choose at least one channel.')).toBeVisible();

  // The server's problem details: a KPI metric twice is refused, and said next to the KPIs.
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('checkbox', { name: /Sandbox/ }).check();
  await dialog.getByLabel('Budget').fill('1,500');
  await dialog.getByLabel('Currency').fill('eur');
  await dialog.getByRole('button', { name: 'Add KPI' }).click();
  await dialog.getByRole('button', { name: 'Add KPI' }).click();
  await dialog.getByLabel('Target', { exact: true }).first().fill('5000');
  await dialog.getByLabel('Target', { exact: true }).last().fill('8000');
  await dialog.getByRole('button', { name: 'Create campaign' }).click();
  await expect(dialog.getByText('impressions has a target already')).toBeVisible();
  await snap(page, 'ai-studio-campaign-form-errors');
  await expectAccessible(page);
  await dialog.getByLabel('Metric').last().selectOption('engagement_rate');
  await dialog.getByLabel('Target (%)').fill('4');
  await dialog.getByRole('button', { name: 'Create campaign' }).click();

  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page.getByText('Budget €1,500.00')).toBeVisible();
  const kpis = page.getByTestId('kpis');
  await expect(kpis).toContainText('Impressions');
  await expect(kpis).toContainText('0 of 5,000');
  await expect(kpis).toContainText('Engagement rate');
  await expect(kpis.getByRole('progressbar')).toHaveCount(2);
  await expect(page.getByText('No posts in this campaign yet.')).toBeVisible();
  await snap(page, 'ai-studio-campaign-new');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit campaign' });
  await expect(edit.getByLabel('Target (%)')).toHaveValue('4');
  await edit.getByLabel('Name', { exact: true }).fill(`${name} (extended)`);
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: `${name} (extended)`, level: 1 })).toBeVisible();

  await page.getByRole('button', { name: 'Archive' }).click();
  await expect(page.getByText('Campaign archived.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Restore' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Campaigns', exact: true }).first().click();
  await page.getByLabel('Status').selectOption('archived');
  await expect(page.getByTestId('campaign-row').filter({ hasText: `${name} (extended)` })).toBeVisible();
});
