import type { AccountRole, TenantRole } from './kernel/context.js';
import { withSystemAccess } from './kernel/db/tenancy.js';
import type { Kernel } from './kernel/kernel.js';
import { createUser, findUserByEmail } from './modules/identity/index.js';
import { addMembership, createAccountRecord, createProfileRecord, provisionTenant } from './modules/tenancy/index.js';

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

    for (const person of people) {
      const user = await createUser(tx, { email: person.email, name: person.name, password, emailVerified: true });
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
  });
  return demoLogins(password);
}
