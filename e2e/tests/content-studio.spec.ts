import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import { expectAccessible, signIn, snap, tokenOf, uniqueSuffix } from './helpers';

/**
 * Content studio, contributor → editor → published, against the real platform (the e2e server runs the
 * worker): Carlos (contributor of Bella Café) writes a post with a picture he uploads in the editor, plans
 * it a minute or two ahead and submits it — he is not offered "Schedule". Eva (editor) sees the bell count
 * go up, approves in the approvals inbox; the approval schedules the post, the worker publishes it to the
 * Sandbox feed with the picture, and the console shows it published with the link to the post.
 */

const contributor = 'bella.contributor@northwind.test';
const editor = 'bella.editor@northwind.test';
const feedName = 'Bella Café · Sandbox';
const accountZone = 'Europe/Rome';

async function unreadCount(request: APIRequestContext, token: string): Promise<number> {
  const response = await request.get('/api/notifications/unread-count', { headers: { authorization: `Bearer ${token}` } });
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as { count: number }).count;
}

/** The value a datetime-local input shows for `at` on the account's clock. */
function zonedInputValue(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/**
 * Wait (through the API) until the post has `status` (the approval is applied by a job, publishing by the
 * worker at the planned time). The console is then followed by its own links, not reloaded.
 */
async function waitForPostStatus(input: { request: APIRequestContext; token: string; postId: string; status: string; timeout: number }) {
  await expect
    .poll(
      async () => {
        const response = await input.request.get(`/api/content/posts/${input.postId}`, { headers: { authorization: `Bearer ${input.token}` } });
        return ((await response.json()) as { status: string }).status;
      },
      { timeout: input.timeout, intervals: [2_000, 5_000], message: `post ${input.postId} ${input.status}` },
    )
    .toBe(input.status);
}

/** From the calendar, open the post in the editor and read its status badge. */
async function openFromCalendar(page: Page, calendarItem: Locator, title: string, status: string) {
  await calendarItem.getByRole('link', { name: `Open “${title}”` }).click();
  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
  await expect(page.getByRole('main').getByText(status, { exact: true }).first()).toBeVisible();
}

test('a contributor’s post with a picture is approved by an editor and published to the Sandbox feed with its image', async ({ browser, page, request }) => {
  test.setTimeout(6 * 60_000);
  const suffix = uniqueSuffix();
  const title = `Autumn terrace ${suffix}`;
  const text = `The terrace is open again under the heaters: come for a cappuccino in the sun 🍂 ${suffix}`;
  const fileName = `terrace-${suffix}.png`;
  const editorToken = await tokenOf(request, editor);
  const unreadBefore = await unreadCount(request, editorToken);

  // Carlos writes the post and uploads its picture from the editor.
  await signIn(page, contributor);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Posts' }).click();
  await page.getByRole('link', { name: 'New post' }).first().click();
  await expect(page.getByRole('heading', { name: 'New post', level: 1 })).toBeVisible();
  await page.getByLabel('Internal name').fill(title);
  await page.getByRole('checkbox', { name: new RegExp(`^${feedName}`) }).check();
  await page.getByTestId('base-text').fill(text);

  await page.getByRole('button', { name: 'Add from the library' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose media' });
  const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#d97706' } }).png().toBuffer();
  await picker.getByTestId('media-file-input').setInputFiles({ name: fileName, mimeType: 'image/png', buffer: png });
  await expect(picker.getByTestId('media-upload-item').filter({ hasText: fileName }).getByText(/Uploaded/)).toBeVisible();
  const tile = picker.getByTestId('media-tile').filter({ hasText: fileName });
  // Processed by the worker: the thumbnail appears once the sizes exist (the picker polls meanwhile).
  await expect(tile.getByRole('img')).toBeVisible({ timeout: 30_000 });
  await tile.click();
  await expect(picker.getByText('1 of 20 chosen')).toBeVisible();
  await snap(page, 'content-studio-picker');
  await expectAccessible(page);
  await picker.getByRole('button', { name: 'Use these' }).click();
  await expect(picker).toBeHidden();
  await expect(page.getByRole('img', { name: fileName }).first()).toBeVisible();

  // Planned a minute or two ahead, on the account's clock.
  const plannedAt = new Date(Math.ceil((Date.now() + 90_000) / 60_000) * 60_000);
  await page.getByLabel(`Planned time (${accountZone})`).fill(zonedInputValue(plannedAt, accountZone));
  await page.getByTestId('save-post').click();
  await expect(page).toHaveURL(/\/content\/posts\/[0-9a-f-]{36}$/);
  const postUrl = page.url();
  await expect(page.getByText('Saved as revision 1.')).toBeVisible();
  // A contributor submits; only an editor's approval schedules.
  await expect(page.getByRole('button', { name: 'Submit for review' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Schedule', exact: true })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Previews' }).or(page.getByRole('complementary', { name: 'Previews' })).getByText(text)).toBeVisible();
  await snap(page, 'content-studio-editor-contributor');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.getByText('Submitted for review.')).toBeVisible();
  await expect(page.getByText('In review', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Schedule', exact: true })).toHaveCount(0);

  // Eva sees one more unread notification on the bell, and the request in her inbox.
  const editorContext = await browser.newContext();
  const editorPage = await editorContext.newPage();
  await signIn(editorPage, editor);
  await expect(editorPage.getByTestId('notification-bell').first()).toHaveAccessibleName(`Notifications, ${unreadBefore + 1} unread`);
  await editorPage.getByTestId('notification-bell').first().click();
  await expect(editorPage.getByRole('region', { name: 'Recent notifications' }).getByText(title).first()).toBeVisible();
  await snap(editorPage, 'content-studio-bell');
  await editorPage.keyboard.press('Escape');
  await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  await expect(editorPage.getByRole('heading', { name: 'Approvals', level: 1 })).toBeVisible();
  const row = editorPage.getByTestId('approval-row').filter({ hasText: title });
  await expect(row.getByText('Requested by Carlos Contributor', { exact: false })).toBeVisible();
  await snap(editorPage, 'content-studio-inbox');
  await expectAccessible(editorPage);
  await row.getByRole('link', { name: 'Open' }).click();
  await expect(editorPage.getByRole('heading', { name: title, level: 1 })).toBeVisible();
  // The preview is the submitted revision, picture included.
  await expect(editorPage.getByText(text)).toBeVisible();
  await expect(editorPage.locator('main img').first()).toBeVisible();
  await snap(editorPage, 'content-studio-approval');
  await expectAccessible(editorPage);
  await editorPage.getByRole('button', { name: 'Approve' }).click();
  await expect(editorPage.getByTestId('approval-decision')).toContainText('Approved by Eva Editor');

  // The approval schedules the post at its planned time (a job applies it); the calendar shows it on its day.
  const postId = postUrl.split('/').pop()!;
  await waitForPostStatus({ request, token: editorToken, postId, status: 'scheduled', timeout: 60_000 });
  const calendarLink = editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' });
  await calendarLink.click();
  const calendarItem = editorPage.locator(`[data-testid="calendar-item"][data-post-id="${postId}"]`);
  await expect(calendarItem).toContainText('Scheduled');
  await snap(editorPage, 'content-studio-calendar-scheduled');
  await expectAccessible(editorPage);
  await openFromCalendar(editorPage, calendarItem, title, 'Scheduled');
  await snap(editorPage, 'content-studio-scheduled');
  await expectAccessible(editorPage);

  // The worker publishes it when its time comes: the calendar item shows Published, linking to the post
  // on the Sandbox feed.
  await waitForPostStatus({ request, token: editorToken, postId, status: 'published', timeout: 3 * 60_000 });
  await calendarLink.click();
  const publishedLink = calendarItem.getByRole('link', { name: `View the published post on ${feedName}` });
  await expect(publishedLink).toHaveAttribute('href', /\/connections\?sandboxPost=sandbox_/);
  await expect(publishedLink).toContainText('Published');
  await snap(editorPage, 'content-studio-calendar-published');
  await expectAccessible(editorPage);
  await openFromCalendar(editorPage, calendarItem, title, 'Published');
  await snap(editorPage, 'content-studio-published');
  await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Posts' }).click();
  await editorPage.getByLabel('Search').fill(suffix);
  const postRow = editorPage.getByTestId('post-row').filter({ hasText: title });
  await expect(postRow.getByText('Published', { exact: true })).toBeVisible();
  await snap(editorPage, 'content-studio-posts');
  await expectAccessible(editorPage);

  // The link to the post on the network, from publishing's record of it.
  await editorPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Publishing' }).click();
  const target = editorPage.getByTestId('target-row').filter({ hasText: suffix });
  await expect(target.getByText('Published', { exact: true })).toBeVisible();
  await target.getByRole('button', { name: 'Details' }).click();
  const detail = editorPage.getByRole('dialog', { name: `Post on ${feedName}` });
  const viewLink = detail.getByRole('link', { name: 'View the post' });
  await expect(viewLink).toHaveAttribute('href', /\/connections\?sandboxPost=sandbox_/);
  await snap(editorPage, 'content-studio-publishing-detail');
  await expectAccessible(editorPage);

  // The Sandbox post carries the picture: a URL that serves the image.
  const sandboxPosts = await request.get('/api/social/sandbox/posts?limit=100', { headers: { authorization: `Bearer ${editorToken}` } });
  const published = ((await sandboxPosts.json()) as { items: Array<{ externalId: string; text: string; media: Array<{ url: string; kind: string }> }> }).items.find((item) => item.text === text);
  expect(published, 'the post on the Sandbox feed').toBeTruthy();
  expect((await viewLink.getAttribute('href')) ?? '').toContain(published!.externalId);
  expect(published!.media).toEqual([expect.objectContaining({ kind: 'image', url: expect.stringMatching(/^https?:\/\//) })]);
  const image = await request.get(published!.media[0]!.url);
  expect(image.status()).toBe(200);
  const metadata = await sharp(await image.body()).metadata();
  expect(metadata.width).toBeGreaterThan(0);
  await editorContext.close();
});
