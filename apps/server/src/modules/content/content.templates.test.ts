import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * Templates: strict variables (a body may use only declared variables and the allowed filters, checked on
 * save), rendering with defaults and required values, duplicate, names unique per scope, tenant-wide
 * templates for tenant admins only; and the account's content settings.
 */
describe('content: templates and settings', () => {
  let t: TestApp;
  let owner: RegisteredTenant;

  const template = (payload: Record<string, unknown>, token = owner.token) => request(t.app, { method: 'POST', url: '/api/content/templates', token, payload });
  const newsletter = (name = `Blog post ${Date.now()}-${Math.random()}`) => ({
    name,
    category: 'blog',
    tags: ['Feed'],
    variables: [
      { name: 'title', label: 'Title', required: true },
      { name: 'url', label: 'Link', required: true },
      { name: 'hashtag', label: 'Hashtag', default: 'bakery' },
    ],
    bodies: { base: 'New on the blog: {{ title }} {{ url }} #{{ hashtag }}', x: '{{ title | truncate: 20 }} {{ url }}' },
    options: { pinterest: { title: '{{ title | upcase }}' } },
    linkTemplate: '{{ url }}',
  });

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a template and renders it with values and defaults', async () => {
    const created = await template(newsletter());
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ accountId: owner.accountId, tags: ['feed'], category: 'blog' });
    const rendered = await request(t.app, {
      method: 'POST',
      url: `/api/content/templates/${created.json().id}/render`,
      token: owner.token,
      payload: { values: { title: 'Sourdough secrets revealed', url: 'https://bella.example/sourdough' } },
    });
    expect(rendered.statusCode).toBe(200);
    expect(rendered.json()).toEqual({
      bodies: { base: 'New on the blog: Sourdough secrets revealed https://bella.example/sourdough #bakery', x: 'Sourdough secrets... https://bella.example/sourdough' },
      options: { pinterest: { title: 'SOURDOUGH SECRETS REVEALED' } },
      link: 'https://bella.example/sourdough',
    });
  });

  it('refuses a required value left empty (422)', async () => {
    const created = (await template(newsletter())).json();
    const missing = await request(t.app, { method: 'POST', url: `/api/content/templates/${created.id}/render`, token: owner.token, payload: { values: { title: 'Only a title' } } });
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ code: 'content.template_values_missing', errors: [{ path: 'body.values.url' }] });
  });

  it('refuses undeclared variables, unknown filters, file tags and broken syntax on save, creating nothing', async () => {
    const name = `Broken ${Date.now()}`;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ bodies: { base: 'Hello {{ customer }}' } }, 'body.bodies.base'],
      [{ bodies: { base: 'x', linkedin: '{{ title | md5 }}' }, variables: [{ name: 'title', label: 'Title' }] }, 'body.bodies.linkedin'],
      [{ bodies: { base: '{% include "secrets" %}' } }, 'body.bodies.base'],
      [{ bodies: { base: '{{ title ' }, variables: [{ name: 'title', label: 'Title' }] }, 'body.bodies.base'],
      [{ bodies: { base: 'ok' }, options: { pinterest: { title: '{{ nope }}' } } }, 'body.options.pinterest.title'],
    ];
    for (const [fields, path] of cases) {
      const refused = await template({ name, ...fields });
      expect(refused.statusCode, JSON.stringify(fields)).toBe(422);
      expect(refused.json().code).toBe('content.template_invalid');
      expect(refused.json().errors.map((error: { path: string }) => error.path)).toContain(path);
    }
    const stored = await t.owner.query('SELECT count(*)::int AS n FROM content_templates WHERE name = $1', [name]);
    expect(stored.rows[0].n).toBe(0);
  });

  it('duplicates a template with a free name, keeps names unique per account, and edits and archives', async () => {
    const name = `Weekly ${Date.now()}`;
    const original = (await template(newsletter(name))).json();
    expect((await template(newsletter(name))).statusCode).toBe(409);
    const copy = await request(t.app, { method: 'POST', url: `/api/content/templates/${original.id}/duplicate`, token: owner.token });
    expect(copy.statusCode).toBe(201);
    expect(copy.json()).toMatchObject({ name: `${name} (copy)`, bodies: original.bodies, variables: original.variables });
    const second = await request(t.app, { method: 'POST', url: `/api/content/templates/${original.id}/duplicate`, token: owner.token });
    expect(second.json().name).toBe(`${name} (copy 2)`);

    const renamedToTaken = await request(t.app, { method: 'PATCH', url: `/api/content/templates/${copy.json().id}`, token: owner.token, payload: { name } });
    expect(renamedToTaken.statusCode).toBe(409);
    const badEdit = await request(t.app, { method: 'PATCH', url: `/api/content/templates/${copy.json().id}`, token: owner.token, payload: { bodies: { base: '{{ unknown }}' } } });
    expect(badEdit.statusCode).toBe(422);
    const archived = await request(t.app, { method: 'PATCH', url: `/api/content/templates/${copy.json().id}`, token: owner.token, payload: { archived: true, description: 'old' } });
    expect(archived.json()).toMatchObject({ description: 'old', bodies: original.bodies });
    expect(archived.json().archivedAt).not.toBeNull();
    const listed = (await request(t.app, { url: '/api/content/templates?category=blog', token: owner.token })).json().items.map((item: { id: string }) => item.id);
    expect(listed).toContain(original.id);
    expect(listed).not.toContain(copy.json().id);
    expect((await request(t.app, { method: 'DELETE', url: `/api/content/templates/${second.json().id}`, token: owner.token })).statusCode).toBe(204);
    expect((await request(t.app, { url: `/api/content/templates/${second.json().id}`, token: owner.token })).statusCode).toBe(404);
  });

  it('keeps tenant-wide templates for tenant admins; contributors only read and render', async () => {
    const editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    const contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId });
    expect((await template({ ...newsletter(), tenantWide: true }, editor.token)).statusCode).toBe(403);
    const shared = await template({ ...newsletter(), tenantWide: true });
    expect(shared.statusCode).toBe(201);
    expect(shared.json().accountId).toBeNull();
    expect((await request(t.app, { method: 'PATCH', url: `/api/content/templates/${shared.json().id}`, token: editor.token, payload: { description: 'x' } })).statusCode).toBe(403);
    expect((await template(newsletter(), contributor.token)).statusCode).toBe(403);
    expect((await request(t.app, { url: `/api/content/templates/${shared.json().id}`, token: contributor.token })).statusCode).toBe(200);
    const stranger = await registerTenant(t.app);
    expect((await request(t.app, { url: `/api/content/templates/${shared.json().id}`, token: stranger.token })).statusCode).toBe(404);
  });

  it('answers the defaults until an admin sets the content settings; editors cannot', async () => {
    const fresh = await registerTenant(t.app);
    const defaults = await request(t.app, { url: '/api/content/settings', token: fresh.token });
    expect(defaults.json()).toMatchObject({ approvalPolicy: 'contributors', clientApprovalRequired: false, minGapMinutes: 30, dailyCaps: {}, abDefaultGapMinutes: 1440, updatedAt: null });
    const body = { approvalPolicy: 'everyone', clientApprovalRequired: true, minGapMinutes: 45, dailyCaps: { instagram: 3 }, abDefaultGapMinutes: 720 };
    const saved = await request(t.app, { method: 'PUT', url: '/api/content/settings', token: fresh.token, payload: body });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ ...body, updatedBy: fresh.user.id });
    const editor = await addMember(t, fresh.token, { role: 'editor', accountId: fresh.accountId });
    expect((await request(t.app, { method: 'PUT', url: '/api/content/settings', token: editor.token, payload: body })).statusCode).toBe(403);
    expect((await request(t.app, { url: '/api/content/settings', token: editor.token })).json()).toMatchObject(body);
    const bad = await request(t.app, { method: 'PUT', url: '/api/content/settings', token: fresh.token, payload: { ...body, minGapMinutes: 5000, dailyCaps: { myspace: 1 } } });
    expect(bad.statusCode).toBe(400);
    expect((await request(t.app, { url: '/api/content/settings', token: fresh.token })).json().minGapMinutes).toBe(45);
  });
});
