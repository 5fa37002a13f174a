import { expect, test } from '@playwright/test';
import { demoPassword, expectAccessible, signIn, snap, superAdmin } from './helpers';

test('a wrong password shows a clear error and keeps what was typed', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in to Omni' })).toBeVisible();
  await expectAccessible(page);
  await snap(page, 'sign-in');
  await page.getByLabel('Email').fill('owner@northwind.test');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is incorrect.');
  await expect(page.getByLabel('Email')).toHaveValue('owner@northwind.test');
  await expect(page).toHaveURL(/\/sign-in/);
  await snap(page, 'sign-in-wrong-password');
});

test('invalid input is explained next to the field before anything is sent', async ({ page }) => {
  await page.goto('/register');
  await page.getByLabel('Workspace name').fill('A');
  await page.getByLabel('Work email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByText('Name must be at least 2 characters long.')).toBeVisible();
  await expect(page.getByText('Enter a valid email address.')).toBeVisible();
  await expect(page.getByText('Password must be at least 10 characters long.')).toBeVisible();
  await expect(page.getByLabel('Work email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Work email')).toHaveValue('not-an-email');
});

test('a viewer sees the member sidebar and cannot open admin screens', async ({ page }) => {
  await signIn(page, 'bella.viewer@northwind.test');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Overview' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'People' })).toBeVisible();
  for (const adminItem of ['Branding', 'Audit log', 'Accounts', 'Tenants', 'API keys']) {
    await expect(nav.getByRole('link', { name: adminItem })).toHaveCount(0);
  }
  await expect(page.getByTestId('tier-badge')).toHaveText('Member');
  await snap(page, 'viewer-dashboard');

  await nav.getByRole('link', { name: 'People' }).click();
  await expect(page.getByTestId('member-row').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Invite people' })).toHaveCount(0);

  for (const path of ['/branding', '/audit', '/platform/tenants', '/settings/api-keys']) {
    await page.goto(path);
    await expect(page.getByTestId('no-access')).toBeVisible();
  }
});

test('each tier gets its own sidebar', async ({ page }) => {
  await signIn(page, 'bella.admin@northwind.test');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(page.getByTestId('tier-badge')).toHaveText('Account admin');
  await expect(nav.getByRole('link', { name: 'Account team' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Branding' })).toHaveCount(0);

  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, superAdmin);
  await expect(page.getByTestId('tier-badge')).toHaveText('Platform');
  await expect(page).toHaveURL(/\/platform\/tenants/);
  await expect(page.getByTestId('tenant-row').filter({ hasText: 'Northwind Agency' })).toBeVisible();
});

test('the super admin suspends and reactivates a tenant with a reason', async ({ page }) => {
  await signIn(page, superAdmin);
  await page.getByLabel('Search').fill('northwind');
  const row = page.getByTestId('tenant-row').filter({ hasText: 'Northwind Agency' });
  await expect(row).toHaveCount(1);
  await snap(page, 'platform-tenants');
  await expectAccessible(page);
  await row.getByRole('button', { name: 'Suspend Northwind Agency' }).click();
  const dialog = page.getByRole('dialog', { name: 'Suspend Northwind Agency?' });
  await dialog.getByRole('button', { name: 'Suspend' }).click();
  await expect(dialog.getByText('Give a reason (at least 3 characters).')).toBeVisible();
  await dialog.getByLabel('Reason').fill('Unpaid invoices since March');
  await dialog.getByRole('button', { name: 'Suspend' }).click();
  await expect(row.getByText('Suspended', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: 'Reactivate Northwind Agency' }).click();
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
});

test('main pages have no serious accessibility violations, in light and dark mode', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  const pages: Array<[string, string, string]> = [
    ['/', 'Welcome, Olivia', 'dashboard'],
    ['/team', 'Team', 'team'],
    ['/accounts', 'Accounts', 'accounts-northwind'],
    ['/branding', 'Branding', 'branding'],
    ['/audit', 'Audit log', 'audit'],
    ['/settings/profile', 'Your profile', 'profile'],
    ['/settings/sessions', 'Sessions', 'sessions-northwind'],
    ['/settings/api-keys', 'API keys', 'api-keys'],
  ];
  for (const [path, heading, name] of pages) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page.locator('[aria-label="Loading…"]')).toHaveCount(0);
    await expectAccessible(page);
    await snap(page, name);
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.locator('html')).toHaveClass(/dark/);
  await expect(page.getByTestId('stat-members')).toBeVisible();
  await expectAccessible(page);
  await snap(page, 'dashboard-dark');
});

test('the console works on a 375 px wide phone', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await signIn(page, 'owner@northwind.test');
  await expect(page.getByRole('complementary', { name: 'Navigation' })).toBeHidden();
  const noHorizontalScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  expect(await noHorizontalScroll()).toBe(true);
  await snap(page, 'mobile-dashboard');

  await page.getByRole('button', { name: 'Open navigation' }).click();
  const drawer = page.getByRole('dialog', { name: 'Navigation' });
  await expect(drawer).toBeVisible();
  await snap(page, 'mobile-drawer');
  await drawer.getByRole('link', { name: 'Team' }).click();
  await expect(drawer).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'Team' })).toBeVisible();
  expect(await noHorizontalScroll()).toBe(true);
  await expectAccessible(page);
  await snap(page, 'mobile-team');
});

test('keyboard users can reach the menu and switch the language', async ({ page }) => {
  await signIn(page, 'owner@northwind.test');
  await page.getByRole('button', { name: /Account menu/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menu')).toBeVisible();
  await page.getByRole('menuitemradio', { name: 'Deutsch' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Willkommen, Olivia' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await snap(page, 'dashboard-german');
  await page.evaluate(() => localStorage.setItem('omni.language', 'en'));
});

test.describe('a browser set to German', () => {
  test.use({ locale: 'de-DE' });

  test('opens the console in German from the first paint (its texts are fetched on demand)', async ({ page }) => {
    await page.goto('/sign-in');
    await expect(page.getByRole('button', { name: 'Anmelden' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  });
});

test('the PWA manifest and icons are served', async ({ request }) => {
  const manifest = await (await request.get('/manifest.webmanifest')).json();
  expect(manifest.name).toBe('Omni Console');
  for (const icon of manifest.icons as Array<{ src: string; sizes: string }>) {
    const response = await request.get(icon.src);
    expect(response.headers()['content-type']).toContain('image/png');
  }
  expect((await request.get('/sw.js')).ok()).toBeTruthy();
  expect(demoPassword).toBeTruthy();
});
