import { expect, test } from '@playwright/test';
import { linkFromMailbox, snap, uniqueSuffix } from './helpers';

async function registerPerson(request: import('@playwright/test').APIRequestContext) {
  const email = `links-${uniqueSuffix()}@example.com`;
  const response = await request.post('/api/auth/register', {
    data: { name: 'Lina Link', email, password: 'first-password-123', tenantName: `Links ${uniqueSuffix()}` },
  });
  expect(response.status()).toBe(201);
  return email;
}

test('a magic link from the email signs the person in', async ({ page, request }) => {
  const email = await registerPerson(request);
  await page.goto('/magic-link');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByText(email)).toBeVisible();
  await snap(page, 'magic-link-sent');

  await page.goto(await linkFromMailbox(request, email, '/magic-link'));
  await expect(page.getByRole('button', { name: /Account menu/ }).first()).toBeVisible();
});

test('a forgotten password is reset through the emailed link, and the new password signs in', async ({ page, request }) => {
  const email = await registerPerson(request);
  await page.goto('/forgot-password');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: /reset link/i }).click();
  await expect(page.getByText('Enter a valid email address.')).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: /reset link/i }).click();
  await expect(page.getByText(email)).toBeVisible();
  await snap(page, 'forgot-password-sent');

  await page.goto(await linkFromMailbox(request, email, '/reset-password'));
  await page.getByLabel('New password', { exact: true }).fill('second-password-456');
  await page.getByLabel('Confirm new password').fill('second-password-456');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Password changed')).toBeVisible();

  const login = await request.post('/api/auth/login', { data: { email, password: 'second-password-456' } });
  expect(login.status()).toBe(200);
});
