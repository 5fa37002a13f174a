import { expect, test } from '@playwright/test';
import { expectAccessible, signIn, snap, uniqueSuffix } from './helpers';

test('an owner connects a Sandbox feed, sends a test post, sees engagement, and disconnects', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();

  const name = `Demo feed ${uniqueSuffix()}`;
  await page.getByRole('button', { name: 'Connect', exact: true }).first().click();
  await page.getByRole('dialog', { name: 'Connect a network' }).getByRole('button', { name: /Sandbox/ }).click();
  const sandboxDialog = page.getByRole('dialog', { name: 'Connect a Sandbox feed' });
  await sandboxDialog.getByLabel('Name').fill(name);
  await sandboxDialog.getByRole('button', { name: 'Connect' }).click();
  const row = page.getByTestId('connection-row').filter({ hasText: name });
  await expect(row.getByText('Active', { exact: true })).toBeVisible();

  const text = `Hello from the sandbox ${uniqueSuffix()}`;
  await page.getByLabel(/Test post to/).fill(text);
  await page.getByRole('button', { name: 'Send test post' }).click();
  const post = page.getByTestId('sandbox-post-row').filter({ hasText: text });
  await expect(post).toBeVisible();
  await post.getByRole('button', { name: 'Simulate a like' }).click();
  await expect(post.getByText(/^Likes: 1 ·/)).toBeVisible();
  await snap(page, 'connections');
  await expectAccessible(page);

  await row.getByRole('button', { name: `Disconnect ${name}` }).click();
  await page.getByRole('dialog', { name: 'Disconnect this destination?' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(row.getByText('Disconnected', { exact: true })).toBeVisible();
});

test('a viewer sees connections but cannot connect', async ({ page }) => {
  await signIn(page, 'bella.viewer@northwind.test');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connect', exact: true })).toHaveCount(0);
});
