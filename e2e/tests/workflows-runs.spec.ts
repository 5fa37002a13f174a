import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { demoPassword, expectAccessible, signIn, uniqueSuffix, snap } from './helpers';
import { canvasNode, stepOf } from './workflow-canvas';

/**
 * The workflow run list and inspector against the real platform. Bruno (account admin) makes the workflows
 * and starts their runs through the API; Eva (editor) follows them in the console: a run waiting for her
 * approval (she follows the link, approves in the inbox and sees the approved branch taken and the other
 * one not run), a run she cancels, and a run whose HTTP step is refused (a private address) with its error
 * and Retry.
 */

const starter = 'bella.admin@northwind.test';
const editor = 'bella.editor@northwind.test';
type Api = { send: (method: 'GET' | 'POST', url: string, data?: unknown) => Promise<Record<string, unknown>> };

async function apiAs(request: APIRequestContext, email: string): Promise<Api> {
  const login = await request.post('/api/auth/login', { data: { email, password: demoPassword } });
  expect(login.ok()).toBeTruthy();
  const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
  return {
    async send(method, url, data) {
      const response = await request.fetch(url, { method, headers, data });
      expect(response.ok(), `${method} ${url}: ${await response.text()}`).toBeTruthy();
      return (await response.json()) as Record<string, unknown>;
    },
  };
}

const node = (id: string, kind: string, label: string, config: Record<string, unknown>, x: number, y: number) => ({ id, kind, label, config, position: { x, y } });

async function createWorkflow(api: Api, name: string, nodes: unknown[], edges: unknown[]): Promise<string> {
  const saved = await api.send('POST', '/api/workflows', { name, definition: { trigger: { kind: 'manual' }, triggerPosition: { x: 0, y: 120 }, nodes, edges }, active: true });
  expect(saved.status).toBe('active');
  return saved.id as string;
}

async function startRun(api: Api, workflowId: string, input: Record<string, unknown> = {}): Promise<string> {
  return (await api.send('POST', `/api/workflows/${workflowId}/runs`, { input })).id as string;
}

/** Screenshots under e2e/artifacts, named after this spec. */
const shot = (page: Page, name: string) => snap(page, `wf-runs-${name}`);


test('an editor follows a run through its approval, cancels another and retries a refused step', async ({ page, request }) => {
  test.setTimeout(150_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  const bruno = await apiAs(request, starter);
  const suffix = uniqueSuffix();
  const approvalFlow = await createWorkflow(
    bruno,
    `Menu sign-off ${suffix}`,
    [
      node('ask', 'approval', 'Approve the menu', { title: 'Approve the {{ trigger.payload.menu }} menu', body: 'Please check it.', role: 'editor' }, 300, 120),
      node('yes', 'notify', 'Tell the team', { to: 'role', role: 'editor', title: 'The {{ trigger.payload.menu }} menu was approved', body: 'Print it.' }, 620, 0),
      node('no', 'notify', 'Ask for changes', { to: 'role', role: 'editor', title: 'The {{ trigger.payload.menu }} menu was rejected', body: '' }, 620, 240),
    ],
    [
      { id: 'e_start', source: 'trigger', sourceHandle: null, target: 'ask' },
      { id: 'e_yes', source: 'ask', sourceHandle: 'approved', target: 'yes' },
      { id: 'e_no', source: 'ask', sourceHandle: 'rejected', target: 'no' },
    ],
  );
  const approvedRun = await startRun(bruno, approvalFlow, { menu: 'spring' });

  // Eva opens the run: the approval step waits, with a link to the request.
  await signIn(page, editor);
  await page.goto(`/workflows/runs/${approvedRun}`);
  await expect(page.getByRole('heading', { name: `Menu sign-off ${suffix}` })).toBeVisible();
  await expect(stepOf(page, 'ask'), pageErrors.join('\n')).toHaveAttribute('data-status', 'waiting', { timeout: 20_000 });
  await expect(page.getByTestId('run-status')).toHaveText('Waiting');
  const approvalLink = stepOf(page, 'ask').getByRole('link', { name: /Open the approval/ });
  await expect(approvalLink).toBeVisible();
  await expect(canvasNode(page, 'ask')).toBeVisible();
  await shot(page, '01-inspector-waiting');
  await expectAccessible(page);

  // Selecting a node on the canvas marks its step run in the timeline.
  await canvasNode(page, 'ask').click();
  await expect(stepOf(page, 'ask')).toHaveClass(/ring-2/);

  await approvalLink.click();
  await expect(page).toHaveURL(/\/approvals\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Approve the spring menu').first()).toBeVisible();
  await shot(page, '02-approval');
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText('Decision recorded.')).toBeVisible();

  // Back in the inspector the run succeeds through the approved port; the rejected branch never ran.
  await page.goto(`/workflows/runs/${approvedRun}`);
  await expect(page.getByTestId('run-status')).toHaveText('Succeeded', { timeout: 30_000 });
  await expect(stepOf(page, 'ask')).toHaveAttribute('data-status', 'succeeded');
  await expect(stepOf(page, 'ask')).toContainText('approved');
  await expect(stepOf(page, 'yes')).toHaveAttribute('data-status', 'succeeded');
  await expect(stepOf(page, 'yes').getByTestId('step-message')).toContainText('The spring menu was approved');
  await expect(stepOf(page, 'no')).toHaveCount(0);
  await expect(canvasNode(page, 'yes')).toHaveClass(/ring-2/);
  await expect(canvasNode(page, 'no')).toHaveClass(/opacity-50/);
  await expect(canvasNode(page, 'no')).not.toHaveClass(/ring-2/);
  await canvasNode(page, 'no').click();
  await expect(page.getByText('This step did not run in this run.')).toBeVisible();
  await shot(page, '03-inspector-succeeded');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, '04-inspector-succeeded-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // A second run, cancelled from the inspector: its approval step is cancelled too.
  const cancelledRun = await startRun(bruno, approvalFlow, { menu: 'summer' });
  await page.goto(`/workflows/runs/${cancelledRun}`);
  await expect(stepOf(page, 'ask')).toHaveAttribute('data-status', 'waiting', { timeout: 20_000 });
  await page.getByRole('button', { name: 'Cancel run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
  await expect(dialog).toBeVisible();
  await shot(page, '05-cancel-confirm');
  await dialog.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByText('The run was cancelled.')).toBeVisible();
  await expect(page.getByTestId('run-status')).toHaveText('Cancelled');
  await expect(stepOf(page, 'ask')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByRole('button', { name: 'Cancel run' })).toHaveCount(0);

  // A run whose HTTP step is refused (a private address) without an error edge fails: the error and Retry.
  const failingFlow = await createWorkflow(
    bruno,
    `Ping the till ${suffix}`,
    [node('ping', 'http_request', 'Ping the till', { method: 'GET', url: 'https://10.20.30.40/ping' }, 300, 120)],
    [{ id: 'e_start', source: 'trigger', sourceHandle: null, target: 'ping' }],
  );
  const failedRun = await startRun(bruno, failingFlow);
  await page.goto(`/workflows/runs/${failedRun}`);
  await expect(page.getByTestId('run-status')).toHaveText('Failed', { timeout: 30_000 });
  await expect(page.getByTestId('run-error')).toBeVisible();
  const error = stepOf(page, 'ping').getByTestId('step-error');
  await expect(error).toContainText('Not retryable');
  await expect(error).toContainText(/10\.20\.30\.40|private|refused/i);
  await shot(page, '06-inspector-failed');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, '07-inspector-failed-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await error.getByRole('button', { name: 'Retry step' }).click();
  await expect(page.getByText('The step runs again.')).toBeVisible();
  // The retry runs the step again (a second attempt), which is refused again.
  await expect(page.getByTestId('run-status')).toHaveText('Failed', { timeout: 30_000 });
  await expect(stepOf(page, 'ping')).toContainText('Attempt');

  // The list: the three runs with their status, filters and the empty state; rows open the inspector.
  await page.goto('/workflows/runs');
  await expect(page.getByRole('heading', { name: 'Workflow runs' })).toBeVisible();
  await expect(page.getByTestId('workflow-run-row').filter({ hasText: `Menu sign-off ${suffix}` })).toHaveCount(2);
  await shot(page, '08-runs-list');
  await expectAccessible(page);
  await page.getByLabel('Workflow').selectOption({ label: `Ping the till ${suffix}` });
  await expect(page.getByTestId('workflow-run-row')).toHaveCount(1);
  await expect(page.getByTestId('workflow-run-row')).toContainText('Failed');
  await page.getByLabel('Status').selectOption({ label: 'Succeeded' });
  await expect(page.getByText('No runs match these filters')).toBeVisible();
  await shot(page, '09-runs-empty-filtered');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Status').selectOption({ label: 'Cancelled' });
  await page.getByTestId('workflow-run-row').filter({ hasText: `Menu sign-off ${suffix}` }).first().click();
  await expect(page).toHaveURL(new RegExp(`/workflows/runs/${cancelledRun}$`));
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/workflows/runs');
  await expect(page.getByTestId('workflow-run-row').filter({ hasText: `Ping the till ${suffix}` })).toHaveCount(1);
  await shot(page, '10-runs-list-dark');
});
