import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { demoPassword, expectAccessible, signIn, snap, tokenOf, uniqueSuffix } from './helpers';
import { canvasNode, connect } from './workflow-canvas';

/**
 * The workflow editor against the real platform. Eva (editor) draws a manual workflow in the console —
 * trigger → condition → notify on the condition's true port —, configures each step in the side panel,
 * sees problems on the canvas (an empty expression, then a reference to a step that does not exist) and
 * fixes them, saves version 1 and version 2, starts a test run and lands on its page; then installs a
 * template from the list.
 */

const editor = 'bella.editor@northwind.test';
/** Screenshots under e2e/artifacts, named after this spec. */
const shot = (page: Page, name: string) => snap(page, `wf-editor-${name}`);

test.use({ viewport: { width: 1440, height: 1000 } });

/** A workflow of one notify step after its trigger, made through the API as Eva; answers what POST /api/workflows says. */
async function createNotifyWorkflow(request: APIRequestContext, name: string, trigger: 'manual' | 'webhook', title: string): Promise<{ id: string; webhookUrl: string | null; webhookSecret?: string }> {
  const created = await request.post('/api/workflows', { headers: await authOf(request), data: { name, definition: notifyDefinition(trigger, title), active: true } });
  expect(created.status(), await created.text()).toBe(201);
  return (await created.json()) as { id: string; webhookUrl: string | null; webhookSecret?: string };
}

function notifyDefinition(trigger: 'manual' | 'webhook', title: string) {
  return {
    trigger: { kind: trigger },
    triggerPosition: { x: 0, y: 120 },
    nodes: [{ id: 'tell', kind: 'notify', label: 'Tell the team', config: { to: 'role', role: 'editor', title, body: '' }, position: { x: 320, y: 120 } }],
    edges: [{ id: 'e0', source: 'trigger', sourceHandle: null, target: 'tell' }],
  };
}

const authOf = async (request: APIRequestContext) => ({ authorization: `Bearer ${await tokenOf(request, editor)}` });



test('an editor draws, checks, saves twice and test-runs a workflow, then installs a template', async ({ page }) => {
  test.setTimeout(120_000);
  const name = `Score alert ${uniqueSuffix()}`;
  await signIn(page, editor);
  await page.goto('/workflows');
  await expect(page.getByRole('heading', { name: 'Workflows', exact: true })).toBeVisible();
  await shot(page, '01-list');

  await page.getByRole('link', { name: 'New workflow' }).first().click();
  await expect(page).toHaveURL(/\/workflows\/new$/);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await expect(canvasNode(page, 'trigger')).toContainText('Manual');

  // The trigger: manual (its panel says how runs start).
  await canvasNode(page, 'trigger').click();
  await expect(page.getByTestId('trigger-panel')).toBeVisible();
  await expect(page.getByLabel('Starts')).toHaveValue('manual');

  // A condition from the palette: its expression is empty, so the canvas shows a problem on it.
  await page.getByTestId('palette-condition').click();
  await expect(canvasNode(page, 'condition')).toBeVisible();
  const panel = page.getByTestId('step-panel');
  await expect(panel.getByLabel('Step id')).toHaveValue('condition');
  await panel.getByLabel('Step id').fill('check');
  await panel.getByLabel('Step id').press('Enter');
  await expect(canvasNode(page, 'check')).toBeVisible();
  await panel.getByLabel('Label').fill('High score?');
  await expect(canvasNode(page, 'check').getByTestId('node-issue-badge')).toBeVisible();
  await expect(page.getByTestId('saves-paused')).toBeVisible();
  await expect(page.getByTestId('issue-list')).toContainText('expression');
  await shot(page, '02-empty-expression');
  await panel.getByLabel(/^Expression/).fill('trigger.payload.score > 5');
  await expect(canvasNode(page, 'check').getByTestId('node-issue-badge')).toHaveCount(0);

  // A notify step, placed by dropping it on the canvas.
  const canvas = page.getByTestId('workflow-canvas');
  const box = await canvas.locator('.react-flow__pane').boundingBox();
  if (!box) throw new Error('canvas not visible');
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  await page.getByTestId('palette-notify').dispatchEvent('dragstart', { dataTransfer });
  const at = { clientX: box.x + box.width * 0.7, clientY: box.y + box.height * 0.75, dataTransfer };
  await canvas.locator('.react-flow__pane').dispatchEvent('dragover', at);
  await canvas.locator('.react-flow__pane').dispatchEvent('drop', at);
  await expect(canvasNode(page, 'notify')).toBeVisible();
  await panel.getByLabel('Label').fill('Tell the editors');
  await panel.getByLabel(/^Title/).fill('Score {{ trigger.payload.score }}');
  await panel.getByLabel(/^Body/).fill('A high score came in.');
  await panel.getByLabel(/^Role/).selectOption('editor');

  // Edges: trigger → check, check (true) → notify.
  await connect(page, page.getByTestId('port-trigger-default'), canvasNode(page, 'check').locator('.react-flow__handle-left'));
  await connect(page, page.getByTestId('port-check-true'), canvasNode(page, 'notify').locator('.react-flow__handle-left'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.locator('.react-flow__edge-text', { hasText: 'true' })).toBeVisible();
  await expect(page.getByText('No problems')).toBeVisible();
  await shot(page, '03-drawn');

  await page.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('workflow-version')).toHaveText('Version 1');
  await expect(page.getByText('Active', { exact: true })).toBeVisible();

  // Version 2: a reference to a step that does not exist is caught by the server as it is typed, then fixed.
  await canvasNode(page, 'check').click();
  await panel.getByLabel(/^Expression/).fill('steps.nowhere.output.score > 5');
  await expect(canvasNode(page, 'check').getByTestId('node-issue-badge')).toBeVisible();
  await expect(page.getByTestId('issue-list')).toContainText('nowhere');
  await shot(page, '04-server-issue');
  await panel.getByLabel(/^Expression/).fill('trigger.payload.score >= 7');
  await expect(canvasNode(page, 'check').getByTestId('node-issue-badge')).toHaveCount(0);
  await expect(page.getByText('No problems')).toBeVisible();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('workflow-version')).toHaveText('Version 2');
  await expect(page.getByText('Unsaved changes')).toHaveCount(0);
  await expectAccessible(page);

  // Dark mode looks right too.
  await page.evaluate(() => localStorage.setItem('omni.theme', 'dark'));
  await page.reload();
  await expect(canvasNode(page, 'notify')).toBeVisible();
  await shot(page, '05-dark');
  await page.evaluate(() => localStorage.removeItem('omni.theme'));
  await page.reload();
  await expect(canvasNode(page, 'notify')).toBeVisible();

  // A test run with sample input lands on the run's page.
  await page.getByRole('button', { name: 'Test run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Test run' });
  await dialog.getByLabel('Sample input (JSON)').fill('{"score": ');
  await expect(dialog.getByText('This is not valid JSON.')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Start test run' })).toBeDisabled();
  await dialog.getByLabel('Sample input (JSON)').fill('{"score": 9}');
  await shot(page, '06-test-run');
  await dialog.getByRole('button', { name: 'Start test run' }).click();
  await expect(page).toHaveURL(/\/workflows\/runs\/[0-9a-f-]{36}$/);

  // The list shows the workflow with its version and last run; a template installs and opens in the editor.
  await page.goto('/workflows');
  const row = page.getByTestId('workflow-row').filter({ hasText: name });
  await expect(row).toContainText('v2');
  await expect(row).toContainText('Manual');
  await shot(page, '07-list-with-workflow');
  await page.getByRole('button', { name: 'From template' }).first().click();
  const templates = page.getByRole('dialog', { name: 'Start from a template' });
  await expect(templates.getByTestId('template-list').locator('li').first()).toBeVisible();
  await shot(page, '08-templates');
  await templates.locator('li', { hasText: 'Lead follow-up' }).getByRole('button', { name: 'Use template' }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}$/);
  await expect(canvasNode(page, 'trigger')).toContainText('Webhook');
  await expect(page.getByTestId('workflow-version')).toHaveText('Version 1');
  // Its webhook: the URL, and the signing secret shown this once.
  await canvasNode(page, 'trigger').click();
  await expect(page.getByTestId('trigger-panel').getByLabel('Webhook URL')).toHaveValue(/\/api\/hooks\/workflows\//);
  await expect(page.getByTestId('webhook-secret')).toContainText('whsec_');
  await shot(page, '09-template-installed');
  await page.reload();
  await canvasNode(page, 'trigger').click();
  await expect(page.getByTestId('trigger-panel').getByLabel('Webhook URL')).toBeVisible();
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);
  const templateName = (await page.getByLabel('Name', { exact: true }).inputValue()).trim();

  // Back on the list: pause it, then delete it (after confirming).
  await page.getByRole('link', { name: 'Workflows', exact: true }).first().click();
  const installed = page.getByTestId('workflow-row').filter({ hasText: templateName });
  await installed.getByRole('button', { name: 'Pause' }).click();
  await expect(installed.getByText('Paused', { exact: true })).toBeVisible();
  await installed.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: `Delete ${templateName}?` });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(installed).toHaveCount(0);
  await expect(row).toBeVisible();
});

test('a save after someone else saved the workflow is refused with the current version, and Reload shows theirs', async ({ page, request }) => {
  test.setTimeout(90_000);
  const headers = await authOf(request);
  const { id } = await createNotifyWorkflow(request, `Shared draft ${uniqueSuffix()}`, 'manual', 'Mine to start with');

  await signIn(page, editor);
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId('workflow-version')).toHaveText('Version 1');
  // A colleague saves version 2 meanwhile.
  const theirs = await request.patch(`/api/workflows/${id}`, { headers, data: { definition: notifyDefinition('manual', 'A colleague’s title'), expectedVersion: 1 } });
  expect(theirs.status(), await theirs.text()).toBe(200);

  // Eva changes the step and saves: refused, and told which version is current now.
  await canvasNode(page, 'tell').click();
  const panel = page.getByTestId('step-panel');
  await panel.getByLabel(/^Title/).fill('My new title');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = page.getByRole('alert').filter({ hasText: 'Someone saved this workflow while you edited it' });
  await expect(conflict).toContainText('now version 2');
  await shot(page, '20-conflict');
  await expectAccessible(page);

  // Reload: the colleague's version, and saving from it works.
  await conflict.getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByTestId('workflow-version')).toHaveText('Version 2');
  await expect(conflict).toBeHidden();
  await canvasNode(page, 'tell').click();
  await expect(panel.getByLabel(/^Title/)).toHaveValue('A colleague’s title');
  await panel.getByLabel(/^Title/).fill('Agreed title');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('workflow-version')).toHaveText('Version 3');
  const saved = (await (await request.get(`/api/workflows/${id}`, { headers })).json()) as { currentVersion: number; definition: { nodes: Array<{ config: { title: string } }> } };
  expect(saved.currentVersion).toBe(3);
  expect(saved.definition.nodes[0]!.config.title).toBe('Agreed title');
});

test('an editor makes a new signing secret for a webhook workflow: the old one stops working, the new one starts runs', async ({ page, request }) => {
  test.setTimeout(90_000);
  const workflow = await createNotifyWorkflow(request, `Lead hook ${uniqueSuffix()}`, 'webhook', 'A lead: {{ trigger.payload.email }}');
  const hook = new URL(workflow.webhookUrl!).pathname;
  /** A delivery signed as senders sign them: hex HMAC-SHA256 of "<unix seconds>.<body>". */
  const deliver = (secret: string, email: string) => {
    const body = JSON.stringify({ email });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    return request.post(hook, { headers: { 'content-type': 'application/json', 'x-omni-timestamp': String(timestamp), 'x-omni-signature': `sha256=${signature}`, 'x-omni-delivery': uniqueSuffix() }, data: body });
  };
  expect((await deliver(workflow.webhookSecret!, 'first@example.com')).status()).toBe(202);

  await signIn(page, editor);
  await page.goto(`/workflows/${workflow.id}`);
  await canvasNode(page, 'trigger').click();
  const trigger = page.getByTestId('trigger-panel');
  await expect(trigger.getByLabel('Webhook URL')).toHaveValue(workflow.webhookUrl!);
  // The secret is shown once, when it is made: not on a later visit.
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);
  await trigger.getByRole('button', { name: 'New secret' }).click();
  await expect(page.getByText('A new secret was made; the old one stopped working.')).toBeVisible();
  const shown = page.getByTestId('webhook-secret');
  await expect(shown).toContainText('Copy it now: it is shown only once.');
  const secret = (await shown.locator('code').textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);
  expect(secret).not.toBe(workflow.webhookSecret);
  await shot(page, '30-new-secret');
  await expectAccessible(page);

  expect((await deliver(workflow.webhookSecret!, 'old@example.com')).status()).toBe(401);
  expect((await deliver(secret, 'new@example.com')).status()).toBe(202);
});

test.describe('a browser set to German', () => {
  test.use({ locale: 'de-DE' });

  test('a step’s settings are labelled and offered in German', async ({ page, request }) => {
    const { id } = await createNotifyWorkflow(request, `Auf Deutsch ${uniqueSuffix()}`, 'manual', 'Neu');

    await page.goto('/sign-in');
    await page.getByLabel('E-Mail').fill(editor);
    await page.getByLabel('Passwort', { exact: true }).fill(demoPassword);
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await expect(page).not.toHaveURL(/\/sign-in/);
    await page.goto(`/workflows/${id}`);
    await canvasNode(page, 'tell').click();
    const panel = page.getByTestId('step-panel');
    await expect(panel.getByLabel('Titel *')).toHaveValue('Neu');
    await expect(panel.getByLabel('An', { exact: true }).locator('option:checked')).toHaveText('Alle mit einer Rolle');
    await expect(panel.getByLabel('Rolle', { exact: true }).locator('option:checked')).toHaveText('Redakteure');
    await shot(page, '40-german-step');
  });
});
