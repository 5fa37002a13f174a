import type { PublishingSettings } from '@omni/contracts/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublishingTenant, createTarget, dispatchAndDrain, getTargetDetail, makeDue, type PublishingTenant } from '../../../test/factories/publishing.js';
import { addMember, createAccount, switchScope } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { flushAuditWrites } from '../audit/index.js';

/** Per-account publishing settings: the missed-post policy the dispatcher applies, and the account's zone. */
describe('publishing settings', () => {
  let t: TestApp;
  let tenant: PublishingTenant;
  let other: PublishingTenant;
  const defaultLateAfterSeconds = 24 * 3600;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createPublishingTenant(t);
    other = await createPublishingTenant(t);
  });
  afterAll(() => t?.close());

  const readSettings = (token: string) => request(t.app, { url: '/api/publishing/settings', token });
  const writeSettings = (token: string, payload: unknown) => request(t.app, { method: 'PUT', url: '/api/publishing/settings', token, payload: payload as object });

  async function settle(owner: PublishingTenant, lateAfterSeconds: number | null): Promise<void> {
    const response = await writeSettings(owner.token, { lateAfterSeconds, timezone: null });
    expect(response.statusCode).toBe(200);
  }

  /** A target of `owner` missed by `secondsLate` (no worker ran), after one dispatcher run. */
  async function missedBy(owner: PublishingTenant, secondsLate: number) {
    const target = await createTarget(t, owner, { text: `Missed by ${secondsLate} s` });
    await makeDue(t, target.id, secondsLate);
    await dispatchAndDrain(t, target.id);
    return getTargetDetail(t, owner, target.id);
  }

  it('an account without settings gets the server default and no time zone', async () => {
    const response = await readSettings(other.token);
    expect(response.statusCode).toBe(200);
    expect(response.json<PublishingSettings>()).toEqual({
      accountId: other.accountId,
      lateAfterSeconds: defaultLateAfterSeconds,
      lateAfterSecondsIsDefault: true,
      defaultLateAfterSeconds,
      timezone: null,
      updatedBy: null,
      updatedAt: null,
    });
  });

  it('an account admin replaces the settings; they are read back, audited, and null goes back to the default', async () => {
    const written = await writeSettings(tenant.token, { lateAfterSeconds: 600, timezone: 'Europe/Berlin' });
    expect(written.statusCode).toBe(200);
    expect(written.json()).toMatchObject({ lateAfterSeconds: 600, lateAfterSecondsIsDefault: false, timezone: 'Europe/Berlin', updatedBy: tenant.user.id });
    expect((await readSettings(tenant.token)).json()).toMatchObject({ accountId: tenant.accountId, lateAfterSeconds: 600, timezone: 'Europe/Berlin' });
    await flushAuditWrites();
    const audit = await t.owner.query(`SELECT metadata FROM audit_log WHERE tenant_id = $1 AND action = 'publishing.settings_updated'`, [tenant.tenant.id]);
    expect(audit.rows[0]?.metadata).toEqual({ lateAfterSeconds: 600, timezone: 'Europe/Berlin' });

    const reset = await writeSettings(tenant.token, { lateAfterSeconds: null, timezone: 'Europe/Berlin' });
    expect(reset.json()).toMatchObject({ lateAfterSeconds: defaultLateAfterSeconds, lateAfterSecondsIsDefault: true, timezone: 'Europe/Berlin' });
  });

  it('refuses bad settings with problem+json and keeps the old ones', async () => {
    await writeSettings(tenant.token, { lateAfterSeconds: 900, timezone: 'UTC' });
    const bodies = [
      { lateAfterSeconds: 30, timezone: null },
      { lateAfterSeconds: 31 * 24 * 3600, timezone: null },
      { lateAfterSeconds: 90.5, timezone: null },
      { lateAfterSeconds: '600', timezone: null },
      { lateAfterSeconds: 600, timezone: 'Mars/Olympus_Mons' },
      { lateAfterSeconds: 600 },
      { lateAfterSeconds: 600, timezone: null, policy: 'always' },
    ];
    for (const body of bodies) {
      const response = await writeSettings(tenant.token, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await readSettings(tenant.token)).json()).toMatchObject({ lateAfterSeconds: 900, timezone: 'UTC' });
  });

  it('only account admins change settings; viewers and editors read them', async () => {
    const editor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    const viewer = await addMember(t, tenant.token, { role: 'viewer', accountId: tenant.accountId });
    const admin = await addMember(t, tenant.token, { role: 'admin', accountId: tenant.accountId });
    expect((await writeSettings(editor.token, { lateAfterSeconds: 60, timezone: null })).statusCode).toBe(403);
    expect((await writeSettings(viewer.token, { lateAfterSeconds: 60, timezone: null })).statusCode).toBe(403);
    expect((await readSettings(viewer.token)).statusCode).toBe(200);
    const byAdmin = await writeSettings(admin.token, { lateAfterSeconds: 1200, timezone: 'America/New_York' });
    expect(byAdmin.statusCode).toBe(200);
    expect((await readSettings(editor.token)).json()).toMatchObject({ lateAfterSeconds: 1200, timezone: 'America/New_York', updatedBy: admin.userId });
  });

  it('settings belong to one account: another account and another tenant keep their own', async () => {
    await writeSettings(tenant.token, { lateAfterSeconds: 3600, timezone: 'Asia/Tokyo' });
    expect((await readSettings(other.token)).json()).toMatchObject({ accountId: other.accountId, lateAfterSecondsIsDefault: true, timezone: null });
    const second = await createAccount(t.app, tenant.token);
    const inSecond = await switchScope(t.app, tenant.token, tenant.tenant.id, second.id);
    expect((await readSettings(inSecond.accessToken)).json()).toMatchObject({ accountId: second.id, lateAfterSecondsIsDefault: true, timezone: null });
    const rows = await t.owner.query('SELECT account_id FROM publishing_settings WHERE tenant_id = $1', [other.tenant.id]);
    expect(rows.rows).toEqual([]);
  });

  it('the dispatcher applies the account’s allowance: late beyond it, published within it, and beyond the default when allowed', async () => {
    await settle(tenant, 600);
    const tooLate = await missedBy(tenant, 3600);
    expect(tooLate.status).toBe('late');
    expect(tooLate.transitions.at(-1)?.reason).toMatch(/due \d+ s ago, more than the 600 s allowed/);
    expect((await missedBy(tenant, 300)).status).toBe('published');

    // Same lateness, default allowance (24 h): published.
    await settle(other, null);
    expect((await missedBy(other, 3600)).status).toBe('published');

    // An allowance longer than the default publishes what the default would mark late.
    await settle(other, 3 * 24 * 3600);
    expect((await missedBy(other, 25 * 3600)).status).toBe('published');
    await settle(other, null);
    const lateByDefault = await missedBy(other, 25 * 3600);
    expect(lateByDefault.status).toBe('late');
    expect(lateByDefault.transitions.at(-1)?.reason).toMatch(new RegExp(`more than the ${defaultLateAfterSeconds} s allowed`));
  });
});
