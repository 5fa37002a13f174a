import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, uniqueSuffix, type TestApp } from '../../../test/harness.js';
import { withSystemAccess } from '../db/tenancy.js';
import { createHttpServer } from '../http/server.js';
import type { OmniModule } from '../module.js';
import { queueMail } from './mail.js';

/**
 * Stands in for the identity module: the x-test-actor header says who is signed in, so the kernel's
 * mailbox routes can be exercised on their own.
 */
const headerAuthentication: OmniModule = {
  name: 'test-authentication',
  async authenticate(request, ctx) {
    const actor = request.headers['x-test-actor'];
    if (actor !== 'super-admin' && actor !== 'user') return false;
    ctx.actor = { userId: '00000000-0000-4000-8000-000000000001', sessionId: null, apiKeyId: null, scopes: null, isSuperAdmin: actor === 'super-admin' };
    return true;
  },
};

describe('the dev mailbox', () => {
  let t: TestApp;
  let server: FastifyInstance;

  beforeAll(async () => {
    t = await createTestApp();
    server = await createHttpServer(t.kernel, [headerAuthentication]);
    await server.ready();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  /** Queue messages to one recipient with distinct, known creation times (oldest first in `subjects`). */
  async function seedMessages(to: string, subjects: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [index, subject] of subjects.entries()) {
      const id = await withSystemAccess(t.kernel, 'test', (tx) =>
        queueMail(tx, { tenantId: null, to, subject, text: `Text of ${subject}`, html: `<p>${subject}</p>`, template: 'test.mailbox' }),
      );
      await t.owner.query(`UPDATE mail_messages SET created_at = now() - make_interval(mins => $2) WHERE id = $1`, [id, subjects.length - index]);
      ids.push(id);
    }
    return ids;
  }

  const asSuperAdmin = { 'x-test-actor': 'super-admin' };

  it('refuses a visitor who is not signed in with 401 problem+json', async () => {
    for (const url of ['/api/dev/mailbox', `/api/dev/mailbox/${crypto.randomUUID()}`, '/api/dev/mailbox/not-a-uuid?limit=0']) {
      const response = await server.inject({ url });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: 401, code: 'auth.unauthenticated' });
    }
  });

  it('refuses a signed-in user who is not a super admin with 403 problem+json', async () => {
    for (const url of ['/api/dev/mailbox', `/api/dev/mailbox/${crypto.randomUUID()}`]) {
      const response = await server.inject({ url, headers: { 'x-test-actor': 'user' } });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ status: 403, code: 'auth.forbidden' });
    }
  });

  it('lists a recipient’s stored emails newest first, with their content', async () => {
    const to = `inbox-${uniqueSuffix()}@example.test`;
    const [oldest, middle, newest] = await seedMessages(to, ['First', 'Second', 'Third']);
    const response = await server.inject({ url: `/api/dev/mailbox?to=${encodeURIComponent(to)}`, headers: asSuperAdmin });
    expect(response.statusCode).toBe(200);
    const { items } = response.json();
    expect(items.map((item: { id: string }) => item.id)).toEqual([newest, middle, oldest]);
    expect(items[0]).toEqual({
      id: newest,
      to,
      subject: 'Third',
      text: 'Text of Third',
      html: '<p>Third</p>',
      template: 'test.mailbox',
      status: expect.stringMatching(/^(queued|stored)$/),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('matches the recipient without regard to case and honours the limit', async () => {
    const to = `Case-${uniqueSuffix()}@Example.test`;
    const [, middle, newest] = await seedMessages(to, ['One', 'Two', 'Three']);
    const response = await server.inject({ url: `/api/dev/mailbox?to=${encodeURIComponent(to.toLowerCase())}&limit=2`, headers: asSuperAdmin });
    expect(response.json().items.map((item: { id: string }) => item.id)).toEqual([newest, middle]);
  });

  it('without a recipient filter lists every tenant’s and the platform’s mail, newest first', async () => {
    const to = `all-${uniqueSuffix()}@example.test`;
    const suffix = uniqueSuffix();
    const tenant = await t.owner.query<{ id: string }>(`INSERT INTO tenants (name, slug) VALUES ('Mailbox', $1) RETURNING id`, [`mb-${suffix}`]);
    const tenantMessage = await withSystemAccess(t.kernel, 'test', (tx) =>
      queueMail(tx, { tenantId: tenant.rows[0]!.id, to, subject: 'Tenant mail', text: 'Body', template: 'test.mailbox' }),
    );
    const response = await server.inject({ url: '/api/dev/mailbox?limit=100', headers: asSuperAdmin });
    const items: Array<{ id: string; createdAt: string }> = response.json().items;
    expect(items.map((item) => item.id)).toContain(tenantMessage);
    const times = items.map((item) => Date.parse(item.createdAt));
    expect(times).toEqual([...times].sort((left, right) => right - left));
  });

  it('reads one message by id, and answers 404 for an id that does not exist', async () => {
    const to = `single-${uniqueSuffix()}@example.test`;
    const [id] = await seedMessages(to, ['Only']);
    const found = await server.inject({ url: `/api/dev/mailbox/${id}`, headers: asSuperAdmin });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({ id, to, subject: 'Only', text: 'Text of Only' });

    const missing = await server.inject({ url: `/api/dev/mailbox/${crypto.randomUUID()}`, headers: asSuperAdmin });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 404, code: 'mail.not_found' });
  });

  it.each([
    ['/api/dev/mailbox/not-a-uuid', 'params.id'],
    ['/api/dev/mailbox?limit=0', 'querystring.limit'],
    ['/api/dev/mailbox?limit=101', 'querystring.limit'],
    ['/api/dev/mailbox?limit=ten', 'querystring.limit'],
  ])('answers %s with a 400 naming the bad field', async (url, path) => {
    const response = await server.inject({ url, headers: asSuperAdmin });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: 'request.invalid', errors: [expect.objectContaining({ path })] });
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await server.inject({ url: '/openapi.json' })).json();
    expect(document.paths['/api/dev/mailbox'].get.parameters.map((parameter: { name: string }) => parameter.name).sort()).toEqual(['limit', 'to']);
    expect(document.paths['/api/dev/mailbox/{id}'].get.responses['200']).toBeDefined();
  });

  it('lets a real super admin, signed in through the identity module, read a verification email', async () => {
    const suffix = uniqueSuffix();
    const email = `root-${suffix}@example.test`;
    const password = 'correct horse battery staple';
    const registered = await request(t.app, {
      method: 'POST',
      url: '/api/auth/register',
      payload: { name: 'Root', email, password, tenantName: `Root ${suffix}`, tenantSlug: `root-${suffix}` },
    });
    expect(registered.statusCode).toBe(201);
    const plainToken: string = registered.json().accessToken;
    expect((await request(t.app, { url: '/api/dev/mailbox', token: plainToken })).statusCode).toBe(403);

    await t.owner.query('UPDATE users SET is_super_admin = true WHERE email = $1', [email]);
    const login = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email, password } });
    expect(login.statusCode).toBe(200);
    const response = await request(t.app, { url: `/api/dev/mailbox?to=${encodeURIComponent(email)}`, token: login.json().accessToken });
    expect(response.statusCode).toBe(200);
    const items: Array<{ to: string; text: string }> = response.json().items;
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.every((item) => item.to === email)).toBe(true);
    expect(items.some((item) => item.text.includes('/verify-email?token='))).toBe(true);
  });
});
