import { expect, test, type APIRequestContext } from '@playwright/test';
import { expectAccessible, signIn, snap, tokenOf, uniqueSuffix } from './helpers';

/**
 * The publishing page against the real platform (the e2e server runs the worker, so posts really go
 * out): Bella Café's demo Sandbox feed, and Sandbox feeds that lose the network's answer, which is how an
 * unconfirmed post happens for real (the post is stored, the answer is lost, the feed offers no lookup).
 */

const editor = 'bella.editor@northwind.test';
const accountAdmin = 'bella.admin@northwind.test';

/** A Sandbox feed of Bella Café with a behaviour (created by its account admin): its name and id. */
async function createFeed(request: APIRequestContext, label: string, behaviour: 'lose_response' | 'reject'): Promise<{ name: string; connectionId: string }> {
  const name = `${label} ${uniqueSuffix()}`;
  const created = await request.post('/api/social/connections/sandbox', { headers: { authorization: `Bearer ${await tokenOf(request, accountAdmin)}` }, data: { name, behaviour } });
  expect(created.status(), await created.text()).toBe(201);
  return { name, connectionId: ((await created.json()) as { id: string }).id };
}

async function schedule(request: APIRequestContext, token: string, connectionId: string, text: string, scheduledAt: string | null): Promise<string> {
  const created = await request.post('/api/publishing/targets', { headers: { authorization: `Bearer ${token}` }, data: { connectionId, content: { text }, scheduledAt } });
  expect(created.status(), await created.text()).toBe(201);
  return ((await created.json()) as { id: string }).id;
}

test('an editor sees a post scheduled through the API, publishes it now, and sees it published', async ({ page, request }) => {
  const token = await tokenOf(request, editor);
  const connections = await request.get('/api/social/connections', { headers: { authorization: `Bearer ${token}` } });
  const feed = ((await connections.json()) as { items: Array<{ id: string; destination: { name: string } }> }).items.find((item) => item.destination.name === 'Bella Café · Sandbox');
  expect(feed, 'the demo seed gives Bella Café a Sandbox feed').toBeTruthy();
  const text = `Fresh focaccia from the oven ${uniqueSuffix()}`;
  await schedule(request, token, feed!.id, text, new Date(Date.now() + 2 * 24 * 3600_000).toISOString());

  await signIn(page, editor);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Publishing' }).click();
  await expect(page.getByRole('heading', { name: 'Publishing', level: 1 })).toBeVisible();
  await expect(page.getByText('Times in Europe/Rome')).toBeVisible();
  const row = page.getByTestId('target-row').filter({ hasText: text });
  await expect(row.getByText('Scheduled', { exact: true })).toBeVisible();
  await expect(row.getByText('Bella Café · Sandbox')).toBeVisible();
  // The demo history is there too: published posts of the past days.
  await expect(page.getByTestId('target-row').filter({ hasText: 'Our autumn menu is here' }).getByText('Published', { exact: true })).toBeVisible();
  await snap(page, 'publishing');
  await expectAccessible(page);

  await row.getByRole('button', { name: 'Details' }).click();
  const detail = page.getByRole('dialog', { name: 'Post on Bella Café · Sandbox' });
  await detail.getByRole('button', { name: 'Publish now' }).click();
  await expect(detail.getByTestId('target-detail').getByText('Published', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
  const history = detail.getByTestId('target-history');
  await expect(history.getByText('Publishing → Published')).toBeVisible();
  await expect(history.getByText('publish now requested')).toBeVisible();
  await expect(detail.getByRole('link', { name: 'View the post' })).toHaveAttribute('href', /\/connections\?sandboxPost=sandbox_/);
  await detail.getByRole('button', { name: 'Close' }).last().click();
  await expect(row.getByText('Published', { exact: true })).toBeVisible();

  // The connections page shows the feed's recent posts with their status.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  const recent = page.getByTestId('connection-row').filter({ hasText: 'Bella Café · Sandbox' }).getByTestId('recent-targets');
  await expect(recent.getByText(text)).toBeVisible();
  await expect(recent.getByText('Published', { exact: true }).first()).toBeVisible();
  await snap(page, 'connections-recent-posts');
  await recent.getByRole('link', { name: 'All posts of Bella Café · Sandbox' }).click();
  await expect(page).toHaveURL(/\/publishing\?connection=/);
  await expect(page.getByRole('button', { name: 'Show posts of every connection' })).toBeVisible();
});

test('a post whose answer was lost shows as unconfirmed and is resolved through the dialog', async ({ page, request }) => {
  // A Sandbox feed that stores posts but loses the answer and offers no lookup.
  const { name, connectionId } = await createFeed(request, 'Flaky feed', 'lose_response');
  const text = `Gelato Friday ${uniqueSuffix()}`;
  await schedule(request, await tokenOf(request, editor), connectionId, text, null);

  await signIn(page, editor);
  await page.goto('/publishing');
  const row = page.getByTestId('target-row').filter({ hasText: text });
  // The list looks again every few seconds while a post is due or in flight.
  await expect(row.getByText('Unconfirmed', { exact: true })).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('Status').selectOption({ label: 'Unconfirmed' });
  await expect(page.getByTestId('target-row').filter({ hasNotText: 'Unconfirmed' })).toHaveCount(0);
  await row.getByRole('button', { name: 'Resolve' }).click();

  const detail = page.getByRole('dialog', { name: `Post on ${name}` });
  await expect(detail.getByText(/the answer was lost on the way back/).first()).toBeVisible();
  await detail.getByRole('button', { name: 'Resolve' }).click();
  const resolve = page.getByRole('dialog', { name: 'Was this post published?' });
  await expect(resolve.getByRole('link', { name: `Open ${name} to check` })).toHaveAttribute('href', '/connections#sandbox-posts');
  await resolve.getByLabel('It is there: it was published').check();
  await resolve.getByLabel('Address of the post (optional)').fill('https://social.example.com/bella/gelato-friday');
  await resolve.getByLabel('Note (optional)').fill('Seen in the Sandbox feed');
  await snap(page, 'publishing-resolve');
  await expectAccessible(page);
  await resolve.getByRole('button', { name: 'Record the answer' }).click();

  await expect(resolve).toBeHidden();
  await expect(detail.getByTestId('target-detail').getByText('Published', { exact: true }).first()).toBeVisible();
  await expect(
    detail.getByTestId('target-history').getByText(`resolved by ${editor}: published, https://social.example.com/bella/gelato-friday (note: Seen in the Sandbox feed)`),
  ).toBeVisible();
  await expect(detail.getByRole('link', { name: 'View the post' })).toHaveAttribute('href', 'https://social.example.com/bella/gelato-friday');
  await snap(page, 'publishing-detail');
});

test('a refused post fails, and "Retry now" makes a second attempt', async ({ page, request }) => {
  const { name, connectionId } = await createFeed(request, 'Strict feed', 'reject');
  const text = `Tiramisu tasting ${uniqueSuffix()}`;
  await schedule(request, await tokenOf(request, editor), connectionId, text, null);

  await signIn(page, editor);
  await page.goto('/publishing');
  const row = page.getByTestId('target-row').filter({ hasText: text });
  await expect(row.getByText('Failed', { exact: true })).toBeVisible({ timeout: 20_000 });
  await row.getByRole('button', { name: 'Details' }).click();
  const detail = page.getByRole('dialog', { name: `Post on ${name}` });
  await detail.getByRole('button', { name: 'Retry now' }).click();
  await expect(detail.getByTestId('target-history').getByText(`retried by ${editor}: failed → publishing now`)).toBeVisible();
  // The feed still refuses it: attempt 2 fails too.
  await expect(detail.getByRole('cell', { name: '2', exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(detail.getByTestId('target-detail').getByText('Failed', { exact: true }).first()).toBeVisible();
});
