import { expect, test, type APIRequestContext } from '@playwright/test';
import { expectAccessible, signIn, snap, tokenOf, uniqueSuffix } from './helpers';

/**
 * Recurring posts and A/B tests in the post editor against the real platform: Eva (Bella Café's editor)
 * builds "every Tuesday and Thursday, 6 times" with the recurrence builder, sees the next occurrences on the
 * account's clock (Europe/Rome) before saving, schedules the series; then marks the winner of a published
 * A/B test.
 */

const editor = 'bella.editor@northwind.test';
const accountAdmin = 'bella.admin@northwind.test';
const zone = 'Europe/Rome';

async function createFeed(request: APIRequestContext, name: string): Promise<string> {
  const created = await request.post('/api/social/connections/sandbox', { headers: { authorization: `Bearer ${await tokenOf(request, accountAdmin)}` }, data: { name } });
  expect(created.status(), await created.text()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

/** The date ("YYYY-MM-DD") of the first Tuesday on the Rome clock at least two days from now. */
function nextTuesdayInRome(): string {
  for (let days = 2; days < 10; days += 1) {
    const date = new Date(Date.now() + days * 86_400_000);
    const weekday = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(date);
    if (weekday === 'Tue') return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  }
  throw new Error('no Tuesday within ten days');
}

test('an editor builds a weekly series with a live preview on the account clock and schedules it', async ({ page, request }) => {
  const feedName = `Series feed ${uniqueSuffix()}`;
  await createFeed(request, feedName);
  const title = `Weekly specials ${uniqueSuffix()}`;
  const tuesday = nextTuesdayInRome();

  await signIn(page, editor);
  await page.goto('/content/posts/new');
  await page.getByLabel('Internal name').fill(title);
  await page.getByLabel(new RegExp(feedName)).check();
  await page.getByTestId('base-text').fill('This week’s specials: pistachio croissant and a cold brew.');
  await page.getByLabel(/Planned time/).fill(`${tuesday}T09:00`);

  const builder = page.getByTestId('recurrence-editor');
  await builder.getByLabel('Repeat this post').check();
  await expect(page.getByTestId('ab-editor').getByLabel('Test two versions')).toBeDisabled();
  await builder.getByLabel('Repeats').selectOption('WEEKLY');
  await builder.getByLabel('Tue', { exact: true }).check();
  await builder.getByLabel('Thu', { exact: true }).check();
  await builder.getByLabel('After').check();
  await builder.getByLabel('Number of occurrences').fill('6');

  const preview = page.getByTestId('recurrence-preview');
  await expect(preview.getByRole('listitem')).toHaveCount(5);
  await expect(preview).toContainText('6 occurrences in all');
  await expect(preview).toContainText(zone);
  await expect(preview.getByRole('listitem').first()).toContainText('9:00');
  await builder.scrollIntoViewIfNeeded();
  await snap(page, 'content-recurrence-builder');
  await expectAccessible(page);

  // A rule the server refuses shows its reason in the preview.
  await builder.getByLabel('Number of occurrences').fill('600');
  await expect(preview.getByRole('alert')).toContainText('at most 500');
  await builder.getByLabel('Number of occurrences').fill('6');
  await expect(preview).toContainText('6 occurrences in all');

  await page.getByTestId('save-post').click();
  await expect(page).toHaveURL(/\/content\/posts\/[0-9a-f-]{36}$/);
  const postId = page.url().split('/').pop()!;
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(page.getByText('Scheduled', { exact: true }).first()).toBeVisible();

  const token = await tokenOf(request, editor);
  const post = (await (await request.get(`/api/content/posts/${postId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    status: string;
    recurrence: { rule: string; timeZone: string };
    occurrences: Array<{ occursAt: string }>;
  };
  expect(post.status).toBe('scheduled');
  expect(post.recurrence).toEqual({ rule: 'FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6', timeZone: zone });
  expect(post.occurrences).toHaveLength(6);
  const romeClock = (at: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(at));
  expect(post.occurrences.map((occurrence) => romeClock(occurrence.occursAt))).toEqual(['Tue 09:00', 'Thu 09:00', 'Tue 09:00', 'Thu 09:00', 'Tue 09:00', 'Thu 09:00']);

  // The stored rule comes back into the builder.
  await page.reload();
  await expect(builder.getByLabel('Tue', { exact: true })).toBeChecked();
  await expect(builder.getByLabel('Thu', { exact: true })).toBeChecked();
  await expect(builder.getByLabel('Number of occurrences')).toHaveValue('6');
});

test('an editor sees a published A/B test and marks a winner', async ({ page, request }) => {
  test.setTimeout(420_000);
  const feed = await createFeed(request, `A/B feed ${uniqueSuffix()}`);
  const token = await tokenOf(request, editor);
  const headers = { authorization: `Bearer ${token}` };
  const title = `Cold brew copy ${uniqueSuffix()}`;
  const created = await request.post('/api/content/posts', {
    headers,
    data: {
      title,
      baseText: 'Cold brew is back',
      destinations: [feed],
      ab: { network: 'sandbox', gapMinutes: 1 },
      variants: [{ network: 'sandbox', abLabel: 'A', text: 'Cold brew is back.' }, { network: 'sandbox', abLabel: 'B', text: 'Cold brew is back, now with oat milk.' }],
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const postId = ((await created.json()) as { id: string }).id;
  const scheduled = await request.post(`/api/content/posts/${postId}/schedule`, { headers, data: { at: new Date(Date.now() + 15_000).toISOString(), acknowledgeConflicts: true } });
  expect(scheduled.status(), await scheduled.text()).toBe(200);
  await expect
    .poll(async () => ((await (await request.get(`/api/content/posts/${postId}`, { headers })).json()) as { status: string }).status, { timeout: 330_000, intervals: [5_000] })
    .toBe('published');

  await signIn(page, editor);
  await page.goto(`/content/posts/${postId}`);
  await expect(page.getByRole('heading', { name: 'A/B result' })).toBeVisible();
  await expect(page.getByText('The comparison runs 73 hours after version B was published.')).toBeVisible();
  await page.getByRole('button', { name: 'Mark B as winner' }).click();
  await expect(page.getByText('Version B marked as the winner.')).toBeVisible();
  await expect(page.getByText('Winner', { exact: true })).toBeVisible();
  await expect(page.getByText(/Chosen by a person/)).toBeVisible();
  await snap(page, 'content-ab-result');
  await expectAccessible(page);
  const outcome = (await (await request.get(`/api/content/posts/${postId}/ab`, { headers })).json()) as { winnerLabel: string; decidedBy: string | null };
  expect(outcome.winnerLabel).toBe('B');
  expect(outcome.decidedBy).toBeTruthy();
});
