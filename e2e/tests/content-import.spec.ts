import { expect, test, type APIRequestContext } from '@playwright/test';
import { expectAccessible, signIn, snap, tokenOf, uniqueSuffix } from './helpers';

/**
 * Journey 3 of the content studio (docs/design/content-studio.md §12): a CSV with two valid and two invalid
 * rows is checked in the console; the report names the lines and columns, Import stays disabled, and the
 * API confirms nothing was created. The corrected file imports, and its posts appear in the posts list and
 * the calendar.
 */

const editor = 'bella.editor@northwind.test';
const feedName = 'Bella Café · Sandbox';
const columns = ['scheduled_at', 'timezone', 'connections', 'title', 'text', 'facebook_text', 'instagram_text', 'x_text', 'linkedin_text', 'pinterest_text', 'media', 'link', 'tags', 'pinterest_title', 'pinterest_board_id', 'x_thread'];

type Row = Partial<Record<string, string>>;
const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
const csvOf = (rows: Row[]) => `${[columns.join(','), ...rows.map((row) => columns.map((column) => quote(row[column] ?? '')).join(','))].join('\n')}\n`;

async function postsWith(request: APIRequestContext, token: string, marker: string): Promise<Array<{ id: string; title: string | null; status: string }>> {
  const response = await request.get(`/api/content/posts?q=${encodeURIComponent(marker)}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { items: Array<{ id: string; title: string | null; status: string }> }).items;
}

test('a CSV with bad rows is refused line by line and imports once corrected', async ({ page, request }) => {
  const marker = `CSV journey ${uniqueSuffix()}`;
  // Two hours ahead: inside this week's and this month's calendar views in any zone.
  const soon = new Date(Date.now() + 2 * 3600_000);
  soon.setUTCMinutes(0, 0, 0);
  const scheduledAt = soon.toISOString().replace('.000Z', 'Z');
  const good: Row[] = [
    { scheduled_at: scheduledAt, connections: feedName, title: `${marker} scheduled`, text: `${marker}: fresh bread at 7`, tags: 'csv' },
    { connections: feedName, title: `${marker} draft`, text: `${marker}: a draft to plan later` },
  ];
  const bad: Row[] = [
    { connections: feedName, title: `${marker} long`, text: `${marker}: too long for X`, x_text: `A thread-worthy story. ${'x'.repeat(290)}` },
    { connections: 'No such feed', title: `${marker} nowhere`, text: `${marker}: unknown connection` },
  ];

  await signIn(page, editor);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import and export' }).click();
  await expect(page.getByRole('heading', { name: 'Import and export', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download sample CSV' })).toBeVisible();

  await page.getByTestId('import-file-input').setInputFiles({ name: 'week-plan.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf([good[0]!, bad[0]!, bad[1]!, good[1]!])) });
  const report = page.getByTestId('import-report');
  await expect(report.getByText('2 of 4 lines have errors: nothing will be imported until they are fixed.')).toBeVisible();
  const findings = page.getByTestId('import-finding');
  const lineThree = findings.filter({ has: page.getByRole('cell', { name: '3', exact: true }) });
  await expect(lineThree.getByText('x_text', { exact: true })).toBeVisible();
  await expect(lineThree).toContainText('X');
  const lineFour = findings.filter({ has: page.getByRole('cell', { name: '4', exact: true }) });
  await expect(lineFour.getByText('connections', { exact: true })).toBeVisible();
  await expect(lineFour).toContainText('“No such feed” is not a connected social account');
  await expect(findings.filter({ has: page.getByRole('cell', { name: '2', exact: true }) })).toContainText('OK: will be scheduled');
  await expect(page.getByTestId('import-run')).toBeDisabled();
  await snap(page, 'content-import-invalid');
  await expectAccessible(page);

  const token = await tokenOf(request, editor);
  expect(await postsWith(request, token, marker)).toEqual([]);

  const corrected: Row[] = [good[0]!, { ...bad[0]!, x_text: '' }, { ...bad[1]!, connections: feedName }, good[1]!];
  await page.getByTestId('import-file-input').setInputFiles({ name: 'week-plan-fixed.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(corrected)) });
  await expect(report.getByText('All 4 lines are valid: ready to import.')).toBeVisible();
  await expect(page.getByTestId('import-run')).toBeEnabled();
  await page.getByTestId('import-run').click();
  await expect(report.getByText('Imported 4 posts.')).toBeVisible();
  await expect(page.getByTestId('import-attempt').filter({ hasText: 'week-plan-fixed.csv' }).first()).toContainText('Imported');
  await snap(page, 'content-import-imported');

  const created = await postsWith(request, token, marker);
  expect(created.map((post) => post.title).sort()).toEqual([`${marker} draft`, `${marker} long`, `${marker} nowhere`, `${marker} scheduled`]);
  expect(created.find((post) => post.title === `${marker} scheduled`)?.status).toBe('scheduled');

  await page.getByRole('link', { name: 'See the posts' }).click();
  await expect(page.getByRole('heading', { name: 'Posts', level: 1 })).toBeVisible();
  for (const title of ['scheduled', 'draft', 'long', 'nowhere']) await expect(page.getByTestId('post-row').filter({ hasText: `${marker} ${title}` })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
  await expect(page.getByText(new RegExp(marker)).first()).toBeVisible();
});
