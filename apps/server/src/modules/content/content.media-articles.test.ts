import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadReadyImage } from '../../../test/factories/media.js';
import { registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { withTenant } from '../../kernel/db/tenancy.js';
import { createPostFromArticle } from './index.js';

/**
 * Posts with library media (held while used, sent to publishing as omni-media:// references), the approval
 * preview rendered from the revision's snapshot, and posts made from feed articles (createPostFromArticle).
 */
describe('content: media, approval previews and drafts from articles', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let feed: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerTenant(t.app);
    feed = (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: owner.token, payload: { name: 'Media feed' } })).json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds the library image a post uses, and sends it to publishing as a media reference', async () => {
    const image = await uploadReadyImage(t, owner.token);
    const created = await request(t.app, { method: 'POST', url: '/api/content/posts', token: owner.token, payload: { baseText: 'With a photo', baseMedia: [{ assetId: image.id, altText: 'Croissants' }], destinations: [feed] } });
    expect(created.json().issues).toEqual([]);
    const held = await request(t.app, { method: 'DELETE', url: `/api/media/assets/${image.id}`, token: owner.token });
    expect(held.statusCode).toBe(409);
    expect(held.json().code).toBe('media.in_use');

    const scheduled = await request(t.app, { method: 'POST', url: `/api/content/posts/${created.json().id}/schedule`, token: owner.token, payload: { at: new Date(Date.now() + 3 * 86_400_000).toISOString() } });
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    const target = await t.owner.query('SELECT p.content FROM post_targets pt JOIN publish_targets p ON p.id = pt.target_id WHERE pt.post_id = $1', [created.json().id]);
    expect(target.rows[0].content.media).toEqual([expect.objectContaining({ url: `omni-media://${image.id}/medium`, kind: 'image', altText: 'Croissants' })]);

    const other = await request(t.app, { method: 'POST', url: '/api/content/posts', token: owner.token, payload: { baseText: 'Same photo', baseMedia: [{ assetId: image.id }], destinations: [feed] } });
    await request(t.app, { method: 'POST', url: `/api/content/posts/${created.json().id}/unschedule`, token: owner.token, payload: {} });
    await request(t.app, { method: 'DELETE', url: `/api/content/posts/${created.json().id}`, token: owner.token });
    expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${image.id}`, token: owner.token })).statusCode).toBe(409);
    await request(t.app, { method: 'DELETE', url: `/api/content/posts/${other.json().id}`, token: owner.token });
    expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${image.id}`, token: owner.token })).statusCode).toBe(204);
  });

  it('makes a draft in review from an article with the template’s bodies, issues included, requested by the system', async () => {
    const template = await request(t.app, {
      method: 'POST',
      url: '/api/content/templates',
      token: owner.token,
      payload: {
        name: `Blog ${Date.now()}`,
        variables: [
          { name: 'title', label: 'Title', required: true },
          { name: 'url', label: 'URL' },
          { name: 'summary', label: 'Summary' },
        ],
        bodies: { base: 'New: {{ title }} {{ url }}', sandbox: '{{ title | upcase }} {{ summary }}' },
      },
    });
    expect(template.statusCode, template.body).toBe(201);
    const summary = 'x'.repeat(20_001);
    const result = await withTenant({ db: t.kernel.db, tenantId: owner.tenant.id }, (tx) =>
      createPostFromArticle(tx, { config: t.kernel.config, tenantId: owner.tenant.id }, {
        accountId: owner.accountId,
        templateId: template.json().id,
        connectionIds: [feed, '00000000-0000-4000-8000-000000000000'],
        article: { title: 'Sourdough secrets', url: 'https://blog.example/sourdough', summary, author: null, publishedAt: null, tags: ['Bread'] },
        source: { kind: 'feed', id: '00000000-0000-4000-8000-0000000000f1', name: 'Bella’s blog' },
      }),
    );
    expect(result.issues).toEqual([expect.objectContaining({ network: 'sandbox', path: 'text', severity: 'error' })]);
    const post = (await request(t.app, { url: `/api/content/posts/${result.postId}`, token: owner.token })).json();
    expect(post).toMatchObject({ status: 'in_review', reviewStage: 'internal', baseText: 'New: Sourdough secrets https://blog.example/sourdough', tags: ['bread'], createdBy: null, source: { kind: 'feed' } });
    expect(post.destinations).toEqual([{ connectionId: feed, network: 'sandbox' }]);
    expect(post.variants[0].text).toBe(`SOURDOUGH SECRETS ${summary}`);
    const revisions = (await request(t.app, { url: `/api/content/posts/${result.postId}/revisions`, token: owner.token })).json().items;
    expect(revisions).toEqual([expect.objectContaining({ number: 1, note: 'from feed Bella’s blog', authorUserId: null })]);

    const requests = await t.owner.query(`SELECT id, requested_by FROM approval_requests WHERE subject_id = $1 AND status = 'pending'`, [result.postId]);
    expect(requests.rows).toEqual([expect.objectContaining({ requested_by: null })]);
    const detail = await request(t.app, { url: `/api/approvals/${requests.rows[0].id}`, token: owner.token });
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json().preview).toMatchObject({ title: 'Sourdough secrets', variants: [expect.objectContaining({ network: 'sandbox', text: `SOURDOUGH SECRETS ${summary}` })] });
  });
});
