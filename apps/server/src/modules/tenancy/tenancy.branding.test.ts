import type { Branding, Domain } from '@omni/contracts/tenancy';
import dns from 'node:dns/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { flushAuditWrites } from '../audit/index.js';

describe('tenancy: branding, theme.css, host resolution and custom domains', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
  });
  afterAll(() => t.close());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const putBranding = (payload: Record<string, unknown>, token = owner.token) => request(t.app, { method: 'PUT', url: '/api/tenant/branding', token, payload });
  const publicTenant = (host: string) => request(t.app, { url: '/api/public/tenant', headers: { host } });

  it('saves branding, returns it, and serves it as theme.css with an ETag and 304 revalidation', async () => {
    const saved = await putBranding({
      logoUrl: 'https://cdn.example.com/logo.svg',
      colors: { primary: '#112233', accent: '#fa0' },
      fonts: { heading: "'Playfair Display', serif" },
      customCss: '.hero { background: url("https://cdn.example.com/bg.png") center / cover; }\n@media (min-width: 600px) { .hero { padding: 2rem } }',
    });
    expect(saved.statusCode).toBe(200);
    const branding = saved.json<Branding>();
    expect(branding).toMatchObject({
      logoUrl: 'https://cdn.example.com/logo.svg',
      colors: { primary: '#112233', accent: '#fa0', background: '#ffffff' },
      fonts: { heading: "'Playfair Display', serif", body: expect.any(String) },
    });
    expect((await request(t.app, { url: '/api/tenant/branding', token: owner.token })).json()).toEqual(branding);
    expect((await request(t.app, { url: '/api/tenant', token: owner.token })).json().branding).toEqual(branding);

    const theme = await request(t.app, { url: `/t/${owner.tenant.slug}/theme.css` });
    expect(theme.statusCode).toBe(200);
    expect(theme.headers['content-type']).toContain('text/css');
    expect(theme.headers['cache-control']).toContain('max-age=60');
    expect(theme.body.startsWith(':root{--omni-color-primary:#112233;')).toBe(true);
    expect(theme.body).toContain("--omni-font-heading:'Playfair Display', serif");
    expect(theme.body).toContain('--omni-color-accent:#fa0');
    expect(theme.body).toContain('--omni-logo-url:url("https://cdn.example.com/logo.svg")');
    expect(theme.body).toContain('.hero { background: url("https://cdn.example.com/bg.png")');
    const etag = theme.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const revalidated = await request(t.app, { url: `/t/${owner.tenant.slug}/theme.css`, headers: { 'if-none-match': etag } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');

    await putBranding({ colors: { primary: '#445566' } });
    const changed = await request(t.app, { url: `/t/${owner.tenant.slug}/theme.css`, headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body).toContain('--omni-color-primary:#445566');
    expect(changed.body).not.toContain('.hero');
  });

  it('refuses a bad colour, font or logo with a field error', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ colors: { primary: 'red' } }, 'body.colors.primary'],
      [{ colors: { background: '#12345' } }, 'body.colors.background'],
      [{ fonts: { body: 'Inter; } body { display:none' } }, 'body.fonts.body'],
      [{ logoUrl: 'javascript:alert(1)' }, 'body.logoUrl'],
      [{ logoUrl: '//evil.example/logo.png' }, 'body.logoUrl'],
      [{ logoUrl: 'http://insecure.example/logo.png' }, 'body.logoUrl'],
    ];
    for (const [payload, path] of cases) {
      const response = await putBranding(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().errors[0].path).toBe(path);
    }
    expect((await putBranding({ logoUrl: '/uploads/logo.png' })).statusCode).toBe(200);
  });

  it('refuses unsafe or unparsable custom CSS with 400 branding.invalid_css', async () => {
    const unsafe = [
      ['@import url("https://evil.example/x.css");', '@import'],
      ['.a { background: url(javascript:alert(1)) }', 'javascript:'],
      ['.a { background: url("http://plain.example/x.png") }', 'url('],
      ['.a { width: expression(alert(1)) }', 'expression()'],
      ['.a { behavior: url(x.htc) }', 'behavior'],
      ['.a { -moz-binding: url("https://x.example/b.xml#x") }', '-moz-binding'],
      ['.a { color: red', 'balanced'],
      ['.a { color red }', 'Colon'],
      ['</style><script>alert(1)</script>', '<'],
      ['.a { \\62 ackground: url(x) }', 'escapes'],
    ];
    for (const [customCss, hint] of unsafe) {
      const response = await putBranding({ customCss });
      expect(response.statusCode, customCss).toBe(400);
      const body = response.json();
      expect(body.code, customCss).toBe('branding.invalid_css');
      expect(body.errors[0].path).toBe('body.customCss');
      expect(body.errors.map((error: { message: string }) => error.message).join(' '), customCss).toContain(hint);
    }
    const tooLarge = await putBranding({ customCss: `.a{color:red}${' '.repeat(20 * 1024)}` });
    expect(tooLarge.statusCode).toBe(400);
    expect(tooLarge.json().errors[0]).toMatchObject({ path: 'body.customCss', message: expect.stringContaining('20 KB') });
    const dataImage = await putBranding({ customCss: '.a { background-image: url(data:image/png;base64,iVBORw0KGgo=) }' });
    expect(dataImage.statusCode).toBe(200);
  });

  it('lets members read branding but only tenant admins change it', async () => {
    const member = await addMember(t, owner.token, { role: 'member' });
    expect((await request(t.app, { url: '/api/tenant/branding', token: member.token })).statusCode).toBe(200);
    expect((await putBranding({ colors: { primary: '#000' } }, member.token)).statusCode).toBe(403);
    const client = await addMember(t, owner.token, { role: 'client', accountId: owner.accountId });
    expect((await request(t.app, { url: '/api/tenant/branding', token: client.token })).statusCode).toBe(200);
    expect((await putBranding({ colors: { primary: '#000' } }, client.token)).statusCode).toBe(403);
  });

  it('answers theme.css of an unknown slug with 404', async () => {
    const response = await request(t.app, { url: `/t/nobody-${uniqueSuffix()}/theme.css` });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'tenant.not_found' });
  });

  it('resolves the tenant from a sub-domain of ROOT_DOMAIN, and nothing from the root or unknown hosts', async () => {
    const found = await publicTenant(`${owner.tenant.slug}.localhost`);
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({ name: owner.tenant.name, slug: owner.tenant.slug, branding: { colors: expect.any(Object) } });
    expect((await publicTenant(`${owner.tenant.slug.toUpperCase()}.localhost:8080`)).json()).toMatchObject({ slug: owner.tenant.slug });
    expect((await publicTenant('localhost')).statusCode).toBe(404);
    expect((await publicTenant(`unknown-${uniqueSuffix()}.localhost`)).statusCode).toBe(404);
    expect((await publicTenant('127.0.0.1')).statusCode).toBe(404);
    expect((await publicTenant(`www.unclaimed-${uniqueSuffix()}.example`)).statusCode).toBe(404);
  });

  it('resolves a new tenant’s sub-domain at once, even right after a miss was cached', async () => {
    const slug = `fresh-${uniqueSuffix()}`;
    expect((await publicTenant(`${slug}.localhost`)).statusCode).toBe(404);
    await registerTenant(t.app, { tenantSlug: slug });
    expect((await publicTenant(`${slug}.localhost`)).json()).toMatchObject({ slug });
  });

  it('connects a custom domain: resolves it only once the DNS TXT record verifies it', async () => {
    const domain = `www.brand-${uniqueSuffix()}.example`;
    const added = await request(t.app, { method: 'POST', url: '/api/tenant/domains', token: owner.token, payload: { domain: `${domain.toUpperCase()}.` } });
    expect(added.statusCode).toBe(201);
    const row = added.json<Domain>();
    expect(row).toMatchObject({ domain, kind: 'custom', verified: false, verificationRecord: { type: 'TXT', name: `_omni.${domain}`, value: expect.stringMatching(/^omni-verify=/) } });
    expect((await publicTenant(domain)).statusCode).toBe(404);

    const lookups = vi.spyOn(dns, 'resolveTxt').mockResolvedValueOnce([['v=spf1 -all'], ['omni-verify=', 'wrong']]);
    const failed = await request(t.app, { method: 'POST', url: `/api/tenant/domains/${row.id}/verify`, token: owner.token });
    expect(failed.statusCode).toBe(422);
    expect(failed.json()).toMatchObject({ code: 'domain.verification_failed', detail: expect.stringContaining(`_omni.${domain}`), record: row.verificationRecord });
    expect(lookups).toHaveBeenCalledWith(`_omni.${domain}`);

    const missing = Object.assign(new Error('queryTxt ENOTFOUND'), { code: 'ENOTFOUND' });
    lookups.mockRejectedValueOnce(missing);
    expect((await request(t.app, { method: 'POST', url: `/api/tenant/domains/${row.id}/verify`, token: owner.token })).statusCode).toBe(422);

    // Long TXT values arrive split into chunks; they are joined before comparing.
    const value = row.verificationRecord.value;
    lookups.mockResolvedValueOnce([[value.slice(0, 10), value.slice(10)]]);
    const verified = await request(t.app, { method: 'POST', url: `/api/tenant/domains/${row.id}/verify`, token: owner.token });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ id: row.id, verified: true, verifiedAt: expect.any(String) });

    const resolved = await publicTenant(domain);
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ slug: owner.tenant.slug });
    const listed = await request(t.app, { url: '/api/tenant/domains', token: owner.token });
    expect(listed.json().items).toEqual([expect.objectContaining({ id: row.id, verified: true })]);

    expect((await request(t.app, { method: 'DELETE', url: `/api/tenant/domains/${row.id}`, token: owner.token })).statusCode).toBe(204);
    expect((await publicTenant(domain)).statusCode).toBe(404);
  });

  it('refuses a domain another tenant holds, a platform sub-domain and a malformed name', async () => {
    const other = await registerTenant(t.app);
    const domain = `shop-${uniqueSuffix()}.example`;
    expect((await request(t.app, { method: 'POST', url: '/api/tenant/domains', token: other.token, payload: { domain } })).statusCode).toBe(201);
    const taken = await request(t.app, { method: 'POST', url: '/api/tenant/domains', token: owner.token, payload: { domain } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'domain.taken' });
    const platform = await request(t.app, { method: 'POST', url: '/api/tenant/domains', token: owner.token, payload: { domain: 'mine.localhost' } });
    expect(platform.statusCode).toBe(400);
    expect(platform.json()).toMatchObject({ code: 'domain.reserved' });
    for (const bad of ['https://x.example', 'no_dots', 'x.example/path', 'a..b.example', '-x.example']) {
      const response = await request(t.app, { method: 'POST', url: '/api/tenant/domains', token: owner.token, payload: { domain: bad } });
      expect(response.statusCode, bad).toBe(400);
    }
    const member = await addMember(t, owner.token, { role: 'member' });
    expect((await request(t.app, { url: '/api/tenant/domains', token: member.token })).statusCode).toBe(403);
  });

  it('reports real dashboard figures', async () => {
    const tenant = await registerTenant(t.app);
    await addMember(t, tenant.token, { role: 'member' });
    await request(t.app, { method: 'POST', url: '/api/invitations', token: tenant.token, payload: { email: `p-${uniqueSuffix()}@example.test`, role: 'admin' } });
    await request(t.app, { method: 'POST', url: '/api/accounts', token: tenant.token, payload: { name: 'Second' } });
    await flushAuditWrites();
    const overview = await request(t.app, { url: '/api/tenant/overview', token: tenant.token });
    expect(overview.statusCode).toBe(200);
    expect(overview.json()).toMatchObject({ accounts: 2, members: 2, pendingInvitations: 1, profiles: 0, customDomains: 0 });
    // register, invite + accept (the member), invite (pending), create account
    expect(overview.json().auditEvents7d).toBe(5);
  });
});
