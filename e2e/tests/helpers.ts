import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const demoPassword = 'omni-demo-2026';
export const superAdmin = 'admin@omni.local';
const artifacts = path.resolve(import.meta.dirname, '../artifacts');

export function uniqueSuffix() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

export async function signIn(page: Page, email: string, password = demoPassword) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  await expect(page.getByRole('button', { name: /Account menu/ }).first()).toBeVisible();
}

/** Save a screenshot under e2e/artifacts (git-ignored) to look at. */
export async function snap(page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/** No serious or critical axe-core violations on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const summary = bad.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(summary, summary.join('\n')).toEqual([]);
}

type MailboxItem = { id: string; to: string; subject: string; text: string; createdAt: string };

/** The newest email to `to` whose text contains a link to `route`, read as the super admin from the dev mailbox. */
export async function linkFromMailbox(request: APIRequestContext, to: string, route: string): Promise<string> {
  const login = await request.post('/api/auth/login', { data: { email: superAdmin, password: demoPassword } });
  expect(login.ok()).toBeTruthy();
  const { accessToken } = (await login.json()) as { accessToken: string };
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get(`/api/dev/mailbox?to=${encodeURIComponent(to)}&limit=20`, { headers: { authorization: `Bearer ${accessToken}` } });
        if (!response.ok()) return undefined;
        const { items } = (await response.json()) as { items: MailboxItem[] };
        for (const item of items) {
          const match = item.text.match(new RegExp(`https?://[^\\s]+${route.replace('/', '\\/')}\\?token=[A-Za-z0-9_%\\-]+`));
          if (match) {
            link = match[0];
            break;
          }
        }
        return link;
      },
      { timeout: 15_000, message: `an email to ${to} with a ${route} link` },
    )
    .toBeTruthy();
  return link!;
}

/** A demo user's access token, signed in through the API (for the arrangements a test makes). */
export async function tokenOf(request: APIRequestContext, email: string): Promise<string> {
  const login = await request.post('/api/auth/login', { data: { email, password: demoPassword } });
  expect(login.ok()).toBeTruthy();
  return ((await login.json()) as { accessToken: string }).accessToken;
}
