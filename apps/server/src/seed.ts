import { sql } from 'drizzle-orm';
import type { AccountRole, TenantRole } from './kernel/context.js';
import { withSystemAccess } from './kernel/db/tenancy.js';
import type { Kernel } from './kernel/kernel.js';
import type { Config } from './kernel/config.js';
import { seedCampaign } from './modules/campaigns/index.js';
import { seedContentTemplate, seedPost, seedPostForTarget } from './modules/content/index.js';
import { seedWebhookEndpoint } from './modules/feeds/index.js';
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
    await seedDemoPublishing(tx, {
      config: kernel.config,
      tenantId: tenant.id,
      accountId: bella.id,
      editorId: userIds.get('bella.editor@northwind.test')!,
      contributorId: userIds.get('bella.contributor@northwind.test')!,
    });
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

/** Eight weeks of Bella Café's regular posts before the recent ones: mornings, lunchtimes and evenings. */
const historyTexts = [
  'First espresso of the day is on at 7:30. Come in from the cold ☕',
  'Fresh cornetti just out of the oven: apricot, pistachio and plain.',
  'Lunch special: focaccia with mortadella and stracciatella, with a drink for €9.',
  'Our single-origin of the month is an Ethiopian Yirgacheffe: bright, floral, lovely as a pour-over.',
  'Aperitivo hour from 6 pm: spritz, olives and a small plate on the house.',
  'Tiramisu is back on the counter. It usually sells out by 8 pm.',
  'Quiet corner, strong Wi-Fi, bottomless filter coffee: the study table is free today.',
  'Thank you to everyone who came to the cupping session last night!',
];

/**
 * Slots of the weekly rhythm: days before the recent posts, the UTC hour, and how well that slot does
 * (evenings best, lunchtimes weakest), so best times have something to learn.
 */
const historySlots = [
  { dayOffset: 0, utcHour: 7, reach: 1 },
  { dayOffset: 2, utcHour: 11, reach: 0.55 },
  { dayOffset: 4, utcHour: 17, reach: 1.45 },
];
const historyWeeks = 8;

function bellaHistory(now: number): Array<{ text: string; link: string | null; publishedAt: Date; engagement: DemoEngagement }> {
  const dayStart = Math.floor(now / (24 * hour)) * 24 * hour;
  const posts: Array<{ text: string; link: string | null; publishedAt: Date; engagement: DemoEngagement }> = [];
  for (let week = 1; week <= historyWeeks; week += 1) {
    for (const [slotIndex, slot] of historySlots.entries()) {
      const index = (week - 1) * historySlots.length + slotIndex;
      // A fixed wobble per post: the same seed gives the same numbers.
      const wobble = 0.8 + ((index * 37) % 40) / 100;
      const impressions = Math.round(1400 * wobble);
      const scale = (base: number) => Math.max(1, Math.round(base * slot.reach * wobble));
      posts.push({
        text: historyTexts[index % historyTexts.length]!,
        link: index % 4 === 0 ? 'https://bella-cafe.example/menu' : null,
        publishedAt: new Date(dayStart - (week * 7 + slot.dayOffset + 5) * 24 * hour + slot.utcHour * hour),
        engagement: { likes: scale(60), comments: scale(8), shares: scale(4), impressions, clicks: scale(18) },
      });
    }
  }
  return posts;
}

/** The coming week's work in progress: drafts, one in review, and one an editor scheduled from the editor. */
const bellaPlanned: Array<{ author: 'editor' | 'contributor'; state: 'draft' | 'in_review' | 'scheduled'; inHours: number | null; title: string; text: string; tags: string[] }> = [
  { author: 'contributor', state: 'draft', inHours: 2 * 24 + 7, title: 'Pistachio cornetto', text: 'New on the counter: a pistachio cream cornetto. Warm, flaky, a little too good.', tags: ['menu'] },
  { author: 'editor', state: 'draft', inHours: null, title: 'Staff playlist', text: 'What we play behind the counter: this month’s staff playlist, picked by Marco.', tags: ['team'] },
  { author: 'contributor', state: 'in_review', inHours: 4 * 24 + 18, title: 'Live jazz Friday', text: 'Live jazz this Friday from 8 pm with the Trio Caffè. Free entry, reserve a table at the counter.', tags: ['events'] },
  { author: 'editor', state: 'scheduled', inHours: 6 * 24 + 9, title: 'Sunday cannoli', text: 'Sunday means cannoli: ricotta, orange peel and dark chocolate, filled to order.', tags: ['menu'] },
];

/**
 * Bella Café's demo publishing and content (caller's transaction): a Sandbox feed; eight weeks of posts
 * published with engagement (enough for learned best times) and a few from the past days; posts scheduled
 * for the coming days; each of those as a content post mapped to its publishing target; drafts, one in
 * review, one scheduled through the editor's path; two templates; a feed webhook endpoint; the account's
 * time zone; an active campaign with the recent and planned posts linked. Skipped when the feed exists already.
 */
async function seedDemoPublishing(tx: Tx, input: { config: Config; tenantId: string; accountId: string; editorId: string; contributorId: string }): Promise<void> {
  const feed = await seedSandboxConnection(tx, { tenantId: input.tenantId, accountId: input.accountId, name: 'Bella Café · Sandbox', connectedBy: input.editorId });
  if (!feed.created) return;
  // The content use cases read their tenant from the transaction (media holds), as under withTenant; the
  // setting is local to this transaction, and system access stays on for the rest of the seed.
  await tx.execute(sql`SELECT set_config('app.tenant_id', ${input.tenantId}, true)`);
  const account = { tenantId: input.tenantId, accountId: input.accountId };
  const base = { ...account, connectionId: feed.connectionId, network: 'sandbox', createdBy: input.editorId };
  // The content post behind each of those targets, written by the editor.
  const content = { ...account, authorId: input.editorId, connectionId: feed.connectionId };
  // Whole hours, so the demo times read like planned ones.
  const now = Math.floor(Date.now() / hour) * hour;
  const published = [...bellaHistory(now), ...bellaPublished.map((post) => ({ ...post, publishedAt: new Date(now - post.hoursAgo * hour) }))];
  // The recent and the planned posts make up the demo campaign.
  const campaignPostIds: string[] = [];
  for (const post of published) {
    const { publishedAt } = post;
    const targetId = await seedPublishedTarget(tx, {
      ...base,
      text: post.text,
      link: post.link,
      publishedAt,
      engagement: post.engagement,
      publish: (idempotencyKey) =>
        seedSandboxPost(tx, { tenantId: input.tenantId, connectionId: feed.connectionId, text: post.text, link: post.link, idempotencyKey, publishedAt, engagement: post.engagement }),
    });
    const postId = await seedPostForTarget(tx, { ...content, targetId, at: publishedAt, status: 'published', post: { baseText: post.text, baseLink: post.link } });
    if (bellaPublished.some((recent) => recent.text === post.text)) campaignPostIds.push(postId);
  }
  for (const post of bellaScheduled) {
    const scheduledAt = new Date(now + post.inHours * hour);
    const targetId = await seedScheduledTarget(tx, { ...base, text: post.text, link: post.link, scheduledAt });
    campaignPostIds.push(await seedPostForTarget(tx, { ...content, targetId, at: scheduledAt, status: 'scheduled', post: { baseText: post.text, baseLink: post.link } }));
  }
  await seedPublishingTimezone(tx, { ...account, timezone: 'Europe/Rome', updatedBy: input.editorId });
  const day = (offsetDays: number) => new Date(now + offsetDays * 24 * hour).toISOString().slice(0, 10);
  await seedCampaign(tx, {
    ...account,
    createdBy: input.editorId,
    status: 'active',
    campaign: {
      name: 'New menu and weekends at Bella Café',
      goal: 'awareness',
      audience: 'Neighbours and office workers of the old town who like a slow coffee',
      channels: ['sandbox'],
      budgetMicros: 300_000_000,
      currency: 'EUR',
      startsOn: day(-7),
      endsOn: day(21),
      kpis: [
        { metric: 'impressions', target: 15_000 },
        { metric: 'engagement_rate', target: 0.06 },
        { metric: 'posts_published', target: 8 },
      ],
      brief: 'Launch the autumn menu (pumpkin spice latte, cinnamon rolls, a new chai) and bring people back on weekends: brunch, the latte art workshop and our 1,000-follower thank-you.',
    },
    postIds: campaignPostIds,
  });

  for (const post of bellaPlanned) {
    await seedPost(tx, {
      ...account,
      config: input.config,
      authorId: post.author === 'editor' ? input.editorId : input.contributorId,
      state: post.state,
      post: { title: post.title, baseText: post.text, tags: post.tags, plannedAt: post.inHours === null ? null : new Date(now + post.inHours * hour).toISOString(), destinations: [feed.connectionId] },
    });
  }
  await seedContentTemplate(tx, {
    ...account,
    createdBy: input.editorId,
    template: {
      name: 'Daily special',
      category: 'menu',
      tags: ['menu'],
      description: 'The dish of the day, with its price when there is one.',
      variables: [
        { name: 'dish', label: 'Dish', default: null, required: true },
        { name: 'price', label: 'Price', default: 'ask at the counter', required: false },
      ],
      bodies: { base: 'Today’s special at Bella Café: {{ dish }} ({{ price }}). See you soon ☕', x: 'Today: {{ dish }} ({{ price }}) ☕' },
      options: {},
      linkTemplate: null,
    },
  });
  const articleTemplateId = await seedContentTemplate(tx, {
    ...account,
    createdBy: input.editorId,
    template: {
      name: 'New blog article',
      category: 'blog',
      tags: ['blog'],
      description: 'A new article on the café’s blog: used by the blog webhook.',
      variables: [
        { name: 'title', label: 'Title', default: null, required: true },
        { name: 'summary', label: 'Summary', default: '', required: false },
        { name: 'url', label: 'Address', default: null, required: true },
      ],
      bodies: { base: 'New on the blog: {{ title }}\n\n{{ summary | strip_html | truncate: 200 }}' },
      options: {},
      linkTemplate: '{{ url }}',
    },
  });
  await seedWebhookEndpoint(tx, {
    config: input.config,
    ...account,
    name: 'Bella Café blog',
    templateId: articleTemplateId,
    connectionIds: [feed.connectionId],
    createdBy: input.editorId,
  });
}
