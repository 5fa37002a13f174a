import { expect, test } from '@playwright/test';
import { snap } from './helpers';

// The other suites block service workers so cached assets never mask a fresh build; this one needs it.
test.use({ serviceWorkers: 'allow' });

test('the console is installable and opens its offline shell without a network', async ({ page, context }) => {
  const manifest = await (await page.request.get('/manifest.webmanifest')).json();
  expect(manifest).toMatchObject({ name: 'Omni Console', display: 'standalone', start_url: '/' });
  expect(manifest.icons.map((icon: { sizes: string }) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));

  await page.goto('/sign-in');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The precache is filled once the worker is active; a reload puts the page under its control.
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller)), { timeout: 15_000 }).toBe(true);

  await context.setOffline(true);
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in to Omni' })).toBeVisible();
  await expect(page.getByText('You are offline')).toBeVisible();
  await snap(page, 'offline-shell');
  await context.setOffline(false);
});
