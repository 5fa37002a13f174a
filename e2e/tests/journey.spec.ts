import { expect, test } from '@playwright/test';
import { expectAccessible, linkFromMailbox, signIn, snap, uniqueSuffix } from './helpers';

/**
 * The journey of a new agency: register → verify the email → add an account → invite a teammate who
 * accepts in another browser → switch account → rebrand → revoke another device's session.
 */
test('a new tenant registers, verifies, invites, switches, rebrands and revokes a session', async ({ page, browser, request }) => {
  const suffix = uniqueSuffix();
  const owner = { name: 'Rita Founder', email: `rita-${suffix}@example.test`, password: 'correct horse battery staple' };
  const teammateEmail = `tom-${suffix}@example.test`;
  const tenantName = `Studio ${suffix}`;

  // Register: workspace + you. The slug is derived from the name.
  await page.goto('/register');
  await expect(page.getByRole('heading', { name: 'Create your workspace' })).toBeVisible();
  await snap(page, 'register');
  await page.getByLabel('Workspace name').fill(tenantName);
  await expect(page.getByLabel('Workspace address')).toHaveValue(`studio-${suffix}`);
  await page.getByLabel('Name', { exact: true }).fill(owner.name);
  await page.getByLabel('Work email').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Rita' })).toBeVisible();
  await expect(page.getByTestId('verify-banner')).toBeVisible();
  await expect(page.getByTestId('stat-members')).toHaveText('1');
  await snap(page, 'dashboard-new-tenant');

  // Verify the email with the link from the dev mailbox.
  const verifyLink = await linkFromMailbox(request, owner.email, '/verify-email');
  await page.goto(verifyLink);
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  await snap(page, 'verify-email');
  await page.getByTestId('verify-continue').click();
  await expect(page.getByRole('heading', { name: 'Welcome, Rita' })).toBeVisible();
  await expect(page.getByTestId('verify-banner')).toHaveCount(0);

  // A second client account, to switch into later.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create an account' });
  await dialog.getByLabel('Name').fill('Bella Test Café');
  await dialog.getByRole('button', { name: 'New account' }).click();
  await expect(page.getByTestId('account-row').filter({ hasText: 'Bella Test Café' })).toBeVisible();
  await snap(page, 'accounts');

  // Invite a teammate as a workspace member.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
  await page.getByRole('button', { name: 'Invite people' }).first().click();
  const invite = page.getByRole('dialog', { name: 'Invite people' });
  await invite.getByLabel('Email').fill(teammateEmail);
  await invite.getByLabel('Role').selectOption('tenant:member');
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByTestId('invitation-row').filter({ hasText: teammateEmail })).toBeVisible();
  await snap(page, 'team-invitations');

  // The teammate accepts in a separate browser context (a new user: name + password).
  const invitationLink = await linkFromMailbox(request, teammateEmail, '/accept-invitation');
  const teammateContext = await browser.newContext();
  const teammate = await teammateContext.newPage();
  await teammate.goto(invitationLink);
  await expect(teammate.getByRole('heading', { name: `Join ${tenantName}` })).toBeVisible();
  await snap(teammate, 'accept-invitation');
  await teammate.getByLabel('Name').fill('Tom Teammate');
  await teammate.getByLabel('Password').fill('another long passphrase');
  await teammate.getByRole('button', { name: 'Create account and join' }).click();
  await expect(teammate.getByRole('heading', { name: 'Welcome, Tom' })).toBeVisible();
  await expect(teammate.getByTestId('switcher-tenant')).toHaveText(tenantName);
  await teammateContext.close();

  await page.reload();
  await expect(page.getByTestId('member-row').filter({ hasText: 'Tom Teammate' })).toBeVisible();

  // Switch to the new account with the switcher.
  await page.getByRole('button', { name: /Switch workspace/ }).click();
  await page.getByRole('menuitemradio', { name: 'Bella Test Café' }).click();
  await expect(page.getByTestId('switcher-account')).toHaveText('Bella Test Café');
  await expect(page.getByRole('heading', { name: 'Welcome, Rita' })).toBeVisible();

  // Rebrand: the preview changes before saving; after saving the console's own colours change.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Branding' }).click();
  await page.getByRole('textbox', { name: 'Primary', exact: true }).fill('#e11d48');
  await expect(page.getByTestId('preview-primary')).toHaveCSS('background-color', 'rgb(225, 29, 72)');
  const saveButton = page.getByRole('button', { name: 'Save branding' });
  await expect(saveButton).not.toHaveCSS('background-color', 'rgb(225, 29, 72)');
  await snap(page, 'branding-preview');
  await saveButton.click();
  await expect(page.getByText('Branding saved.')).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
  await expect(page.getByRole('button', { name: 'Invite people' }).first()).toHaveCSS('background-color', 'rgb(225, 29, 72)');
  const themeCss = await (await request.get(`/t/studio-${suffix}/theme.css`)).text();
  expect(themeCss).toContain('--omni-color-primary:#e11d48');

  // Sign in on a second device, then revoke that session from the first: the second is signed out.
  const deviceContext = await browser.newContext();
  const device = await deviceContext.newPage();
  await signIn(device, owner.email, owner.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
  const otherSession = page.getByTestId('session-row').filter({ hasNotText: 'This device' });
  await expect(otherSession).toHaveCount(1);
  await snap(page, 'sessions');
  await otherSession.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('Session revoked.')).toBeVisible();
  await expect(page.getByTestId('session-row')).toHaveCount(1);

  await device.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
  await expect(device).toHaveURL(/\/sign-in/);
  await expect(device.getByText('Your session has ended.')).toBeVisible();
  await deviceContext.close();

  await expectAccessible(page);
});
