import { expect, test } from '@playwright/test';
import { canvasNode, connect, stepOf } from './workflow-canvas';
import { signIn, uniqueSuffix } from './helpers';

/**
 * Issue 7's journey: Eva (editor) builds a workflow in the editor — manual trigger → approval → notify on
 * the approved port —, saves it active and runs it for real with input; the run waits for the approval;
 * Bruno (account admin) approves the step in the approvals inbox; Eva sees the run complete in the
 * inspector, through the approved port.
 */

const editor = 'bella.editor@northwind.test';
const approver = 'bella.admin@northwind.test';

test.use({ viewport: { width: 1440, height: 1000 } });



test('a workflow built in the editor runs, waits for its approval, and completes once approved', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const name = `Menu check ${uniqueSuffix()}`;
  await signIn(page, editor);
  await page.goto('/workflows/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  const panel = page.getByTestId('step-panel');

  // Approval step: the editors decide.
  await page.getByTestId('palette-approval').click();
  await expect(canvasNode(page, 'approval')).toBeVisible();
  await panel.getByLabel('Step id').fill('review');
  await panel.getByLabel('Step id').press('Enter');
  await expect(canvasNode(page, 'review')).toBeVisible();
  await panel.getByLabel('Label').fill('Review the menu');
  await panel.getByLabel(/^Title/).fill('Approve the {{ trigger.payload.dish }} special');
  await panel.getByLabel(/^Body/).fill('It goes on the board tomorrow.');
  await panel.getByLabel(/^Role/).selectOption('editor');

  // Notify step for the approved port.
  await page.getByTestId('palette-notify').click();
  await expect(canvasNode(page, 'notify')).toBeVisible();
  await panel.getByLabel('Label').fill('Tell the kitchen');
  await panel.getByLabel(/^Title/).fill('The {{ trigger.payload.dish }} special is approved');
  await panel.getByLabel(/^Body/).fill('Put it on the board.');
  await panel.getByLabel(/^Role/).selectOption('editor');

  await connect(page, page.getByTestId('port-trigger-default'), canvasNode(page, 'review').locator('.react-flow__handle-left'));
  await connect(page, page.getByTestId('port-review-approved'), canvasNode(page, 'notify').locator('.react-flow__handle-left'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect(page.getByText('No problems')).toBeVisible();
  await page.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page.getByTestId('workflow-version')).toHaveText('Version 1');
  await expect(page.getByText('Active', { exact: true })).toBeVisible();

  // A real run (not a test run), with its input.
  await page.getByRole('button', { name: 'Run now' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run now' });
  await dialog.getByLabel('Sample input (JSON)').fill('{"dish": "pumpkin soup"}');
  await dialog.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/\/workflows\/runs\/[0-9a-f-]{36}$/);
  const runPath = new URL(page.url()).pathname;
  await expect(stepOf(page, 'review')).toHaveAttribute('data-status', 'waiting', { timeout: 30_000 });
  await expect(page.getByTestId('run-status')).toHaveText('Waiting');
  const approvalHref = await stepOf(page, 'review').getByRole('link', { name: /Open the approval/ }).getAttribute('href');
  expect(approvalHref).toMatch(/^\/approvals\/[0-9a-f-]{36}$/);

  // Bruno finds the request in the approvals inbox and approves it.
  const approverContext = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const approverPage = await approverContext.newPage();
  await signIn(approverPage, approver);
  await approverPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  await approverPage.getByRole('row').filter({ hasText: 'Approve the pumpkin soup special' }).getByRole('link', { name: 'Open' }).first().click();
  await expect(approverPage).toHaveURL(new RegExp(`${approvalHref}$`));
  await expect(approverPage.getByRole('link', { name: 'Open the workflow run' })).toBeVisible();
  await approverPage.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(approverPage.getByText('Decision recorded.')).toBeVisible();
  await approverContext.close();

  // Eva's inspector (it polls) shows the run completed through the approved port.
  await page.goto(runPath);
  await expect(page.getByTestId('run-status')).toHaveText('Succeeded', { timeout: 30_000 });
  await expect(stepOf(page, 'review')).toContainText('approved');
  await expect(stepOf(page, 'notify')).toHaveAttribute('data-status', 'succeeded');
  await expect(stepOf(page, 'notify').getByTestId('step-message')).toContainText('The pumpkin soup special is approved');
  await expect(canvasNode(page, 'notify')).toHaveClass(/ring-2/);
});
