import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { demoPassword, expectAccessible, signIn, snap, uniqueSuffix } from './helpers';

/**
 * Client approval links against the real platform: with client approval required for Bella Café, a post
 * that passed the internal review waits for the client. Eva (editor) creates a link; someone without an
 * account opens it, sees the preview and approves as "Clara", and the request shows who decided through
 * the link. A link to a post Eva edits afterwards explains that the post changed and offers no decision;
 * a link made for the new revision works.
 */

const contributor = 'bella.contributor@northwind.test';
const editor = 'bella.editor@northwind.test';
const accountAdmin = 'bella.admin@northwind.test';

type Api = { get: (url: string) => Promise<unknown>; send: (method: 'POST' | 'PUT' | 'PATCH', url: string, data: unknown) => Promise<unknown> };

async function apiAs(request: APIRequestContext, email: string): Promise<Api> {
  const login = await request.post('/api/auth/login', { data: { email, password: demoPassword } });
  expect(login.ok()).toBeTruthy();
  const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
  return {
    async get(url) {
      const response = await request.get(url, { headers });
      expect(response.ok(), `${url}: ${await response.text()}`).toBeTruthy();
      return response.json();
    },
    async send(method, url, data) {
      const response = await request.fetch(url, { method, headers, data });
      expect(response.ok(), `${method} ${url}: ${await response.text()}`).toBeTruthy();
      return response.json();
    },
  };
}

type Request = { id: string; stage: 'internal' | 'client'; status: string };

async function pendingRequest(api: Api, postId: string, stage: 'internal' | 'client'): Promise<Request> {
  let found: Request | undefined;
  // The client stage is opened by a job once the internal approval is recorded.
  await expect
    .poll(async () => {
      const { items } = (await api.get(`/api/approvals?subjectType=post&subjectId=${postId}&stage=${stage}`)) as { items: Request[] };
      found = items.find((item) => item.status === 'pending');
      return found?.id;
    }, { timeout: 20_000, message: `a pending ${stage} request for post ${postId}` })
    .toBeTruthy();
  return found!;
}

/** Carlos writes a post for Bella's Sandbox feed and submits it; Eva approves the internal stage. Returns the post id. */
async function postAwaitingClient(request: APIRequestContext, title: string, text: string): Promise<string> {
  const carlos = await apiAs(request, contributor);
  const eva = await apiAs(request, editor);
  const { items } = (await carlos.get('/api/social/connections')) as { items: Array<{ id: string; destination: { name: string } }> };
  const feed = items.find((item) => item.destination.name === 'Bella Café · Sandbox')!;
  const plannedAt = new Date(Date.now() + 3 * 24 * 3600_000).toISOString();
  const post = (await carlos.send('POST', '/api/content/posts', { title, baseText: text, destinations: [feed.id], plannedAt })) as { id: string };
  await carlos.send('POST', `/api/content/posts/${post.id}/submit`, {});
  await eva.send('POST', `/api/approvals/${(await pendingRequest(eva, post.id, 'internal')).id}/decision`, { outcome: 'approved' });
  return post.id;
}

/** On the request's page, Eva creates a client link for `recipient`; returns its URL (shown once). */
async function createLink(page: Page, recipient: string): Promise<string> {
  await page.getByLabel('Recipient’s name').fill(recipient);
  await page.getByRole('button', { name: 'Create a client link' }).click();
  const url = await page.getByTestId('created-link-url').inputValue();
  expect(url).toMatch(/\/approve\/[A-Za-z0-9_-]{20,}$/);
  return url;
}

/** A browser with nobody signed in, as the client receiving the link. */
async function openAsClient(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

test.describe.serial('client approval links', () => {
  let previousSettings: Record<string, unknown> | null = null;

  test.beforeAll(async ({ request }) => {
    const admin = await apiAs(request, accountAdmin);
    const { approvalPolicy, clientApprovalRequired, minGapMinutes, dailyCaps, abDefaultGapMinutes } = (await admin.get('/api/content/settings')) as Record<string, unknown>;
    previousSettings = { approvalPolicy, clientApprovalRequired, minGapMinutes, dailyCaps, abDefaultGapMinutes };
    await admin.send('PUT', '/api/content/settings', { ...previousSettings, clientApprovalRequired: true });
  });

  test.afterAll(async ({ request }) => {
    // The other journeys expect Bella Café without a client stage.
    if (previousSettings) await (await apiAs(request, accountAdmin)).send('PUT', '/api/content/settings', previousSettings);
  });

  test('a client approves through a link without an account, and the request shows who decided through it', async ({ browser, page, request }) => {
    const suffix = uniqueSuffix();
    const title = `Christmas opening hours ${suffix}`;
    const text = `Over the holidays we open 8–14 every day, closed on the 25th. Buon Natale! ${suffix}`;
    const postId = await postAwaitingClient(request, title, text);
    await pendingRequest(await apiAs(request, editor), postId, 'client');

    await signIn(page, editor);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    const row = page.getByTestId('approval-row').filter({ hasText: title });
    await expect(row.getByText('Client review')).toBeVisible();
    await row.getByRole('link', { name: 'Open' }).click();
    await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
    const url = await createLink(page, 'Clara');
    await snap(page, 'approvals-link-created');
    await expectAccessible(page);

    const client = await openAsClient(browser, url);
    await expect(client.getByRole('heading', { name: 'Approval requested', level: 1 })).toBeVisible();
    await expect(client.getByText('Hello Clara,')).toBeVisible();
    await expect(client.getByText(text)).toBeVisible();
    await snap(client, 'approvals-link-client');
    await expectAccessible(client);
    const form = client.locator('form').filter({ has: client.getByRole('button', { name: 'Approve' }) });
    await form.getByLabel('Your name').fill('Clara');
    await form.getByLabel('Comment (optional)').fill('Looks good, thank you!');
    await form.getByRole('button', { name: 'Approve' }).click();
    await expect(client.getByTestId('public-decision')).toContainText('Approved by Clara (client link)');
    await expect(client.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await snap(client, 'approvals-link-client-decided');
    await expectAccessible(client);
    await client.context().close();

    await page.reload();
    await expect(page.getByTestId('approval-decision')).toContainText(/Approved by Clara \(client link\) · .+/);
    await expect(page.getByText('Looks good, thank you!')).toBeVisible();
    await snap(page, 'approvals-link-decided');
    // The client's approval was the last stage: the post is scheduled at its planned time.
    const eva = await apiAs(request, editor);
    await expect.poll(async () => ((await eva.get(`/api/content/posts/${postId}`)) as { status: string }).status, { timeout: 20_000 }).toBe('scheduled');
  });

  test('a link to a post edited afterwards no longer decides anything, and a link to the new revision works', async ({ browser, page, request }) => {
    const suffix = uniqueSuffix();
    const title = `Gift cards ${suffix}`;
    const text = `Gift cards are here: any amount, in a little paper bag. ${suffix}`;
    const postId = await postAwaitingClient(request, title, text);
    const eva = await apiAs(request, editor);
    const first = await pendingRequest(eva, postId, 'client');

    await signIn(page, editor);
    await page.goto(`/approvals/${first.id}`);
    await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
    const oldUrl = await createLink(page, 'Clara');

    // Eva changes the text in the editor: a new revision, so the link's revision is no longer the post's.
    await page.getByRole('link', { name: 'Open in the editor' }).click();
    await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
    const edited = `Gift cards are here: any amount from €10, in a little paper bag. ${suffix}`;
    await page.getByTestId('base-text').fill(edited);
    await page.getByTestId('save-post').click();
    await expect(page.getByText('Saved as revision 2.')).toBeVisible();

    const stale = await openAsClient(browser, oldUrl);
    const problem = stale.getByTestId('approval-link-problem');
    await expect(problem.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
    await expect(problem).toContainText('This post was changed after this link was sent. Ask for a new link.');
    await expect(stale.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expect(stale.getByLabel('Your name')).toHaveCount(0);
    await snap(stale, 'approvals-link-superseded');
    await expectAccessible(stale);
    await stale.context().close();

    // The edited post goes through review again; a link for the new revision works.
    await (await apiAs(request, contributor)).send('POST', `/api/content/posts/${postId}/submit`, {});
    await eva.send('POST', `/api/approvals/${(await pendingRequest(eva, postId, 'internal')).id}/decision`, { outcome: 'approved' });
    const second = await pendingRequest(eva, postId, 'client');
    expect(second.id).not.toBe(first.id);
    await page.goto(`/approvals/${second.id}`);
    await expect(page.getByText('Revision 2', { exact: false }).first()).toBeVisible();
    const newUrl = await createLink(page, 'Clara');
    const fresh = await openAsClient(browser, newUrl);
    await expect(fresh.getByText(edited)).toBeVisible();
    await expect(fresh.getByRole('button', { name: 'Approve' })).toBeVisible();
    await snap(fresh, 'approvals-link-new');
    await fresh.context().close();
  });
});
