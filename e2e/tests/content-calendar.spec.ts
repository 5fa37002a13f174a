import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible, signIn, snap, tokenOf, uniqueSuffix } from './helpers';

/**
 * The content calendar against the real platform: Eva (Bella Café's editor) sees her scheduled posts in
 * the account's zone (Europe/Rome), moves one with the keyboard "Move…" dialog, is warned about a conflict
 * before moving next to another post, and drags one in the week view.
 */

const editor = 'bella.editor@northwind.test';
const accountAdmin = 'bella.admin@northwind.test';
const zone = 'Europe/Rome';

/** A Sandbox feed of its own, so other tests' posts never conflict with these. */
async function createFeed(request: APIRequestContext): Promise<string> {
  const created = await request.post('/api/social/connections/sandbox', { headers: { authorization: `Bearer ${await tokenOf(request, accountAdmin)}` }, data: { name: `Calendar feed ${uniqueSuffix()}` } });
  expect(created.status(), await created.text()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

async function schedulePost(request: APIRequestContext, token: string, feed: string, title: string, at: Date): Promise<string> {
  const headers = { authorization: `Bearer ${token}` };
  const created = await request.post('/api/content/posts', { headers, data: { title, baseText: `${title}: fresh from the oven`, destinations: [feed] } });
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  const scheduled = await request.post(`/api/content/posts/${id}/schedule`, { headers, data: { at: at.toISOString() } });
  expect(scheduled.status(), await scheduled.text()).toBe(200);
  return id;
}

async function plannedAt(request: APIRequestContext, token: string, id: string): Promise<string> {
  const post = await request.get(`/api/content/posts/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return ((await post.json()) as { plannedAt: string }).plannedAt;
}

/** "YYYY-MM-DDTHH:mm" on the Rome clock (what the Move dialog's input takes), and back. */
function romeInput(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The instant of 09:00 on the Rome clock on a "YYYY-MM-DD" day. */
function romeNine(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(year, month - 1, date, 9);
  const [wallDay, wallTime] = romeInput(new Date(guess)).split('T') as [string, string];
  const offset = Date.parse(`${wallDay}T${wallTime}:00Z`) - guess;
  return new Date(guess - offset).toISOString();
}

/** The time as FullCalendar writes it on an event in English on the Rome clock: "3p", "3:10p". */
function calendarTime(date: Date): string {
  const [hour, minute] = romeInput(date).slice(11).split(':').map(Number) as [number, number];
  return `${hour % 12 === 0 ? 12 : hour % 12}${minute ? `:${String(minute).padStart(2, '0')}` : ''}${hour < 12 ? 'a' : 'p'}`;
}

const item = (page: Page, title: string) => page.getByTestId('calendar-item').filter({ hasText: title });

test('an editor moves a scheduled post with the Move… dialog, is warned of a conflict, and drags one in the week view', async ({ page, request }) => {
  const token = await tokenOf(request, editor);
  const feed = await createFeed(request);
  const suffix = uniqueSuffix();
  // Tomorrow at 10:00 on the Rome clock, so both posts sit in today's month and week views or the next, and
  // every time this test moves them to stays inside that day (an event running past midnight is drawn twice).
  const hour = 3600_000;
  const base = new Date(Date.parse(romeNine(romeInput(new Date(Date.now() + 24 * hour)).slice(0, 10))) + hour);
  const first = `Focaccia ${suffix}`;
  const second = `Tiramisu ${suffix}`;
  const firstId = await schedulePost(request, token, feed, first, base);
  await schedulePost(request, token, feed, second, new Date(base.getTime() + 3 * hour));

  await signIn(page, editor);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
  await expect(page.getByRole('heading', { name: 'Calendar', level: 1 })).toBeVisible();
  await expect(page.getByText(`Times in ${zone}`)).toBeVisible();
  // The item may sit in next month's grid when tomorrow is a new month.
  if (!(await item(page, first).isVisible().catch(() => false))) {
    await page.waitForTimeout(500);
    if (!(await item(page, first).isVisible())) await page.getByRole('button', { name: 'Next period' }).click();
  }
  await expect(item(page, first)).toBeVisible();
  await expect(item(page, first).getByText('Scheduled', { exact: true })).toBeVisible();
  // "New post" on that day proposes 09:00 on the Rome clock of that very day.
  const day = romeInput(base).slice(0, 10);
  await expect(page.locator(`td[data-date="${day}"]`).getByRole('link', { name: /^New post on / })).toHaveAttribute('href', `/content/posts/new?plannedAt=${encodeURIComponent(romeNine(day))}`);
  await snap(page, 'content-calendar-month');
  await expectAccessible(page);

  // Move… (keyboard): one hour later.
  const later = new Date(base.getTime() + hour);
  await item(page, first).getByRole('button', { name: `Move “${first}”…` }).click();
  const dialog = page.getByRole('dialog', { name: `Move “${first}”` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel(`New time (${zone})`).fill(romeInput(later));
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => plannedAt(request, token, firstId)).toBe(later.toISOString());
  await expect(item(page, first)).toContainText(calendarTime(later));

  // Next to the other post (10 minutes apart): a warning first, then moved anyway.
  const close = new Date(base.getTime() + 3 * hour + 10 * 60_000);
  await item(page, first).getByRole('button', { name: `Move “${first}”…` }).click();
  await dialog.getByLabel(`New time (${zone})`).fill(romeInput(close));
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  const warning = page.getByRole('dialog', { name: 'This time conflicts' });
  await expect(warning.getByTestId('conflicts')).toContainText('10 min apart');
  await snap(page, 'content-calendar-conflict');
  await expectAccessible(page);
  await warning.getByRole('button', { name: 'Move anyway' }).click();
  await expect(warning).toBeHidden();
  await expect.poll(() => plannedAt(request, token, firstId)).toBe(close.toISOString());
  await expect(item(page, first).getByText('1 conflict')).toBeVisible();

  // Week view: best-time chips, and drag the post to the same time one day later.
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  if (!(await item(page, first).isVisible().catch(() => false))) {
    await page.waitForTimeout(500);
    if (!(await item(page, first).isVisible())) await page.getByRole('button', { name: 'Next period' }).click();
  }
  await expect(page.getByTestId('best-times')).toBeVisible();
  const event = page.locator('.fc-timegrid-event').filter({ hasText: first });
  await event.scrollIntoViewIfNeeded();
  await expect(event).toBeVisible();
  const box = (await event.boundingBox())!;
  const columns = page.locator('.fc-timegrid-col');
  const columnWidth = (await columns.first().boundingBox())!.width;
  const target = { x: box.x + box.width / 2 + columnWidth, y: box.y + 6 };
  const dayLater = new Date(close.getTime() + 24 * hour);
  const columnCount = await columns.count();
  const lastColumn = (await columns.nth(columnCount - 1).boundingBox())!;
  if (target.x < lastColumn.x + lastColumn.width) {
    await page.mouse.move(box.x + box.width / 2, box.y + 6);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 10, box.y + 8, { steps: 4 });
    await page.mouse.move(target.x, target.y, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => plannedAt(request, token, firstId), { timeout: 15_000 }).toBe(dayLater.toISOString());
  }
  await snap(page, 'content-calendar-week');
  await expectAccessible(page);
});

test('"New post" on a day opens the editor with that day’s proposed time', async ({ page }) => {
  const day = romeInput(new Date(Date.now() + 3 * 86_400_000)).slice(0, 10);
  await signIn(page, editor);
  await page.goto(`/content/posts/new?plannedAt=${encodeURIComponent(romeNine(day))}`);
  await expect(page.getByLabel(`Planned time (${zone})`)).toHaveValue(`${day}T09:00`);
});
