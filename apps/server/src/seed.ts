import type { AccountRole, TenantRole } from './kernel/context.js';
import { withSystemAccess } from './kernel/db/tenancy.js';
import type { Kernel } from './kernel/kernel.js';
import { createUser, findUserByEmail } from './modules/identity/index.js';
import { seedPublishedTarget, seedPublishingTimezone, seedScheduledTarget, type DemoEngagement } from './modules/publishing/index.js';
import { seedSandboxConnection, seedSandboxPost } from './modules/social/index.js';
import { addMembership, createAccountRecord, createProfileRecord, provisionTenant } from './modules/tenancy/index.js';
import type { Tx } from './kernel/db/database.js';

export type DemoLogin = { role: string; email: string; password: string };

const superAdminEmail = 'admin@omni.local';

type DemoPerson = { role: string; email: string; name: string; tenantRole?: TenantRole; accountRole?: AccountRole; headline: string };

/** One person per role, in tier order: platform, tenant, then the Bella Café account. */
const people: DemoPerson[] = [
  { role: 'Tenant owner', email: 'owner@northwind.test', name: 'Olivia Owner', tenantRole: 'owner', headline: 'Founder, Northwind Agency' },
  { role: 'Tenant admin', email: 'admin@northwind.test', name: 'Adam Admin', tenantRole: 'admin', headline: 'Operations lead' },
  { role: 'Tenant member', email: 'member@northwind.test', name: 'Mia Member', tenantRole: 'member', headline: 'Strategist' },
  { role: 'Account admin (Bella Café)', email: 'bella.admin@northwind.test', name: 'Bruno Account-Admin', accountRole: 'admin', headline: 'Account manager' },
  { role: 'Account editor (Bella Café)', email: 'bella.editor@northwind.test', name: 'Eva Editor', accountRole: 'editor', headline: 'Content editor' },
  { role: 'Account contributor (Bella Café)', email: 'bella.contributor@northwind.test', name: 'Carlos Contributor', accountRole: 'contributor', headline: 'Copywriter' },
  { role: 'Account viewer (Bella Café)', email: 'bella.viewer@northwind.test', name: 'Vera Viewer', accountRole: 'viewer', headline: 'Analyst' },
  { role: 'Client reviewer (Bella Café)', email: 'bella.client@northwind.test', name: 'Clara Client', accountRole: 'client', headline: 'Owner, Bella Café' },
];

function demoLogins(password: string): DemoLogin[] {
  return [
    { role: 'Platform super admin', email: superAdminEmail, password },
    ...people.map((person) => ({ role: person.role, email: person.email, password })),
  ];
}

/**
 * Create the demo platform on first run: a super admin, the "Northwind Agency" tenant (branded) with the
 * client accounts "Bella Café" and "Urban Threads", one user per role (verified emails, DEMO_PASSWORD) and
 * a profile each on Bella Café. Idempotent: when the super admin exists, it only returns the logins.
 * Everything is created in one transaction, so a failed run leaves nothing half-made.
 */
export async function seedDemoPlatform(kernel: Kernel): Promise<DemoLogin[]> {
  const password = kernel.config.DEMO_PASSWORD;
  await withSystemAccess(kernel, 'seed: demo platform', async (tx) => {
    if (await findUserByEmail(tx, superAdminEmail)) return;
    await createUser(tx, { email: superAdminEmail, name: 'Platform Admin', password, emailVerified: true, isSuperAdmin: true });

    const { tenant } = await provisionTenant(tx, {
      name: 'Northwind Agency',
      slug: 'northwind',
      industry: 'marketing_agency',
      withFirstAccount: false,
      branding: {
        logoUrl: null,
        colors: { primary: '#0f766e', secondary: '#155e75', accent: '#f97316', background: '#f8fafc', foreground: '#0f172a' },
        fonts: { heading: "'Poppins', system-ui, sans-serif", body: 'Inter, system-ui, sans-serif' },
        customCss: '.omni-brand-banner { border-radius: 12px; }\n',
      },
    });
    const bella = await createAccountRecord(tx, tenant.id, { name: 'Bella Café', slug: 'bella-cafe' });
    await createAccountRecord(tx, tenant.id, { name: 'Urban Threads', slug: 'urban-threads' });

    const userIds = new Map<string, string>();
    for (const person of people) {
      const user = await createUser(tx, { email: person.email, name: person.name, password, emailVerified: true });
      userIds.set(person.email, user.id);
      if (person.tenantRole) await addMembership(tx, { tenantId: tenant.id, accountId: null, userId: user.id, role: person.tenantRole });
      if (person.accountRole) await addMembership(tx, { tenantId: tenant.id, accountId: bella.id, userId: user.id, role: person.accountRole });
      await createProfileRecord(tx, {
        tenantId: tenant.id,
        accountId: bella.id,
        userId: user.id,
        displayName: person.name,
        headline: person.headline,
        visibility: person.accountRole === 'client' ? 'private' : 'tenant',
      });
    }
    await seedDemoPublishing(tx, { tenantId: tenant.id, accountId: bella.id, editorId: userIds.get('bella.editor@northwind.test')! });
  });
  return demoLogins(password);
}

const hour = 3600_000;

/** What Bella Café posted in the past days (engagement as of now), and what it has planned. */
const bellaPublished: Array<{ text: string; link: string | null; hoursAgo: number; engagement: DemoEngagement }> = [
  {
    text: 'Our autumn menu is here 🍂 Pumpkin spice latte, cinnamon rolls and a brand-new chai. Come by and taste it!',
    link: 'https://bella-cafe.example/menu',
    hoursAgo: 4 * 24 + 3,
    engagement: { likes: 86, comments: 12, shares: 9, impressions: 2140, clicks: 57 },
  },
  {
    text: 'Behind the counter: meet Marco, our head barista, who has been pulling espresso shots for twelve years.',
    link: null,
    hoursAgo: 2 * 24 + 5,
    engagement: { likes: 132, comments: 21, shares: 6, impressions: 3310, clicks: 40 },
  },
  {
    text: 'Rainy Tuesday? Every hot drink comes with a free almond biscotti until 4 pm ☔',
    link: null,
    hoursAgo: 20,
    engagement: { likes: 54, comments: 4, shares: 3, impressions: 1280, clicks: 22 },
  },
];

const bellaScheduled: Array<{ text: string; link: string | null; inHours: number }> = [
  { text: 'Weekend brunch is back: eggs Benedict, avocado toast and bottomless filter coffee, Saturday and Sunday 9–14.', link: null, inHours: 22 },
  { text: 'Latte art workshop on Thursday at 6 pm: eight seats, book at the counter.', link: 'https://bella-cafe.example/workshops', inHours: 3 * 24 + 2 },
  { text: 'Thank you for 1,000 followers! Show this post for 10% off your next coffee.', link: null, inHours: 5 * 24 + 6 },
];

/**
 * Bella Café's demo publishing (caller's transaction): a Sandbox feed, a few posts published in the past
 * days with engagement, a few scheduled in the coming days, and the account's time zone. Skipped when the
 * feed exists already.
 */
async function seedDemoPublishing(tx: Tx, input: { tenantId: string; accountId: string; editorId: string }): Promise<void> {
  const feed = await seedSandboxConnection(tx, { tenantId: input.tenantId, accountId: input.accountId, name: 'Bella Café · Sandbox', connectedBy: input.editorId });
  if (!feed.created) return;
  const base = { tenantId: input.tenantId, accountId: input.accountId, connectionId: feed.connectionId, network: 'sandbox', createdBy: input.editorId };
  // Whole hours, so the demo times read like planned ones.
  const now = Math.floor(Date.now() / hour) * hour;
  for (const post of bellaPublished) {
    const publishedAt = new Date(now - post.hoursAgo * hour);
    await seedPublishedTarget(tx, {
      ...base,
      text: post.text,
      link: post.link,
      publishedAt,
      engagement: post.engagement,
      publish: (idempotencyKey) =>
        seedSandboxPost(tx, { tenantId: input.tenantId, connectionId: feed.connectionId, text: post.text, link: post.link, idempotencyKey, publishedAt, engagement: post.engagement }),
    });
  }
  for (const post of bellaScheduled) await seedScheduledTarget(tx, { ...base, text: post.text, link: post.link, scheduledAt: new Date(now + post.inHours * hour) });
  await seedPublishingTimezone(tx, { tenantId: input.tenantId, accountId: input.accountId, timezone: 'Europe/Rome', updatedBy: input.editorId });
}
