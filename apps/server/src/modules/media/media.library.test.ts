import { toMediaReference, type MediaAsset } from '@omni/contracts/media';
import { randomUUID } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countMediaRows, storedMediaFiles, noisePng, phoneJpeg, readUsage, textFile, tinyMp4, uploadMedia, uploadReadyImage } from '../../../test/factories/media.js';
import { startMediaOrigin, type MediaOrigin } from '../../../test/fakes/media-origin.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { withSystemAccess, withTenant } from '../../kernel/db/tenancy.js';
import { createUrlSigner, getBlobStore, mediaLocalDir } from '../../kernel/storage/index.js';
import { sweepOrphansJob } from './media.jobs.js';
import { getAssetsForValidation, holdAssets, importMediaFromUrl, MediaReferenceError, releaseAssets, resolveMediaReferences, signAssetUrls } from './index.js';

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};

describe('media library', () => {
  let t: TestApp;
  let origin: MediaOrigin;
  let tenant: RegisteredTenant;
  let other: RegisteredTenant;

  beforeAll(async () => {
    origin = await startMediaOrigin();
    t = await createTestApp({ PUBLIC_URL: 'https://omni.example.test', MEDIA_FETCH_ALLOW_LOOPBACK: 'true' });
    tenant = await registerTenant(t.app);
    other = await registerTenant(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await origin?.close();
  });

  describe('signed blob URLs', () => {
    it('serve the file with its type, nosniff and a private cache no longer than the link lives', async () => {
      const asset = await uploadReadyImage(t, tenant.token);
      const response = await t.app.inject({ url: pathOf(asset.thumbUrl!) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('image/webp');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      const maxAge = Number(/private, max-age=(\d+)/.exec(String(response.headers['cache-control']))?.[1]);
      expect(maxAge).toBeGreaterThan(3500);
      expect(maxAge).toBeLessThanOrEqual(3600);
    });

    it('refuse expired, tampered and foreign signatures with 403, and never serve the raw upload (404)', async () => {
      const asset = await uploadReadyImage(t, tenant.token);
      const url = new URL(asset.mediumUrl!);
      const key = url.pathname.slice('/blobs/'.length);
      const signer = createUrlSigner(t.kernel.config);
      const expired = signer.sign(key, Math.floor(Date.now() / 1000) - 5);
      const expiredResponse = await t.app.inject({ url: `/blobs/${key}?exp=${expired.exp}&kid=${expired.kid}&sig=${expired.sig}` });
      expect(expiredResponse.statusCode).toBe(403);
      expect(expiredResponse.json().code).toBe('media.url_expired');

      const later = new URL(url);
      later.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 86_400));
      expect((await t.app.inject({ url: pathOf(later.toString()) })).statusCode).toBe(403);

      // Another tenant's asset with this URL's signature: the key is signed, so it does not transfer.
      const foreign = await uploadReadyImage(t, other.token);
      const foreignKey = new URL(foreign.mediumUrl!).pathname.slice('/blobs/'.length);
      const swapped = await t.app.inject({ url: `/blobs/${foreignKey}${url.search}` });
      expect(swapped.statusCode).toBe(403);
      expect(swapped.json().code).toBe('media.url_invalid');

      const otherKey = createUrlSigner({ ...t.kernel.config, ENCRYPTION_KEY: 'a-different-installation-key-0123456789' }).sign(key, Math.floor(Date.now() / 1000) + 60);
      expect((await t.app.inject({ url: `/blobs/${key}?exp=${otherKey.exp}&kid=${otherKey.kid}&sig=${otherKey.sig}` })).statusCode).toBe(403);

      const rawKey = `${key.slice(0, key.lastIndexOf('/'))}/upload.raw`;
      const raw = signer.sign(rawKey, Math.floor(Date.now() / 1000) + 60);
      expect((await t.app.inject({ url: `/blobs/${rawKey}?exp=${raw.exp}&kid=${raw.kid}&sig=${raw.sig}` })).statusCode).toBe(404);
      expect((await t.app.inject({ url: `/blobs/${key}` })).statusCode).toBe(403);
    });
  });

  describe('holds and deletion', () => {
    it('refuses to delete an asset in use (409 media.in_use), then deletes it once released: quota back, blobs purged', async () => {
      const fresh = await registerTenant(t.app);
      const asset = await uploadReadyImage(t, fresh.token);
      const usedBefore = (await readUsage(t, fresh.token)).bytesUsed;
      expect(usedBefore).toBeGreaterThan(0);
      await withTenant({ db: t.kernel.db, tenantId: fresh.tenant.id }, (tx) => holdAssets(tx, { holder: 'content.post:11111111-1111-4111-8111-111111111111', assetIds: [asset.id] }));
      expect((await request(t.app, { url: `/api/media/assets/${asset.id}`, token: fresh.token })).json<MediaAsset>().inUse).toBe(true);

      const refused = await request(t.app, { method: 'DELETE', url: `/api/media/assets/${asset.id}`, token: fresh.token });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'media.in_use' });
      expect(refused.json().detail).toMatch(/remove it from them before deleting it/);
      expect((await readUsage(t, fresh.token)).bytesUsed).toBe(usedBefore);

      // holdAssets replaces the holder's set: an empty set releases too.
      await withTenant({ db: t.kernel.db, tenantId: fresh.tenant.id }, (tx) => holdAssets(tx, { holder: 'content.post:11111111-1111-4111-8111-111111111111', assetIds: [] }));
      await withTenant({ db: t.kernel.db, tenantId: fresh.tenant.id }, (tx) => holdAssets(tx, { holder: 'content.post:22222222-2222-4222-8222-222222222222', assetIds: [asset.id] }));
      expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${asset.id}`, token: fresh.token })).statusCode).toBe(409);
      await withTenant({ db: t.kernel.db, tenantId: fresh.tenant.id }, (tx) => releaseAssets(tx, 'content.post:22222222-2222-4222-8222-222222222222'));

      expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${asset.id}`, token: fresh.token })).statusCode).toBe(204);
      expect(await readUsage(t, fresh.token)).toMatchObject({ bytesUsed: 0, assetCount: 0 });
      expect((await request(t.app, { url: `/api/media/assets/${asset.id}`, token: fresh.token })).statusCode).toBe(404);
      expect(await storedMediaFiles(t, fresh.tenant.id)).not.toEqual([]);
      await t.drainJobs();
      expect(await storedMediaFiles(t, fresh.tenant.id)).toEqual([]);
    });

    it('lets contributors change and delete only their own assets; editors any', async () => {
      const asset = await uploadReadyImage(t, tenant.token);
      const contributor = await addMember(t, tenant.token, { role: 'contributor', accountId: tenant.accountId });
      const editor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
      expect((await request(t.app, { method: 'PATCH', url: `/api/media/assets/${asset.id}`, token: contributor.token, payload: { altText: 'mine now' } })).statusCode).toBe(403);
      expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${asset.id}`, token: contributor.token })).statusCode).toBe(403);
      const own = await uploadReadyImage(t, contributor.token);
      const patched = await request(t.app, { method: 'PATCH', url: `/api/media/assets/${own.id}`, token: contributor.token, payload: { altText: 'A red and blue card', tags: ['Cards', 'cards', 'spring'] } });
      expect(patched.statusCode).toBe(200);
      expect(patched.json<MediaAsset>()).toMatchObject({ altText: 'A red and blue card', tags: ['cards', 'spring'] });
      expect((await request(t.app, { url: '/api/media/assets?tag=spring', token: tenant.token })).json<{ items: MediaAsset[] }>().items.map((item) => item.id)).toEqual([own.id]);
      expect((await request(t.app, { method: 'PATCH', url: `/api/media/assets/${own.id}`, token: contributor.token, payload: { tags: ['x'.repeat(41)] } })).statusCode).toBe(400);
      expect((await request(t.app, { method: 'PATCH', url: `/api/media/assets/${own.id}`, token: contributor.token, payload: {} })).json<MediaAsset>().tags).toEqual(['cards', 'spring']);
      expect((await request(t.app, { method: 'PATCH', url: `/api/media/assets/${asset.id}`, token: editor.token, payload: { altText: 'Edited by the editor' } })).statusCode).toBe(200);
      expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${own.id}`, token: editor.token })).statusCode).toBe(204);
    });
  });

  describe('tenant isolation', () => {
    it('hides another tenant’s assets from every route and from the exports', async () => {
      const asset = await uploadReadyImage(t, tenant.token);
      for (const [method, url] of [['GET', `/api/media/assets/${asset.id}`], ['PATCH', `/api/media/assets/${asset.id}`], ['DELETE', `/api/media/assets/${asset.id}`]] as const) {
        const response = await request(t.app, { method, url, token: other.token, ...(method === 'PATCH' ? { payload: { altText: 'x' } } : {}) });
        expect(response.statusCode, `${method} ${url}`).toBe(404);
      }
      const listed = (await request(t.app, { url: '/api/media/assets?limit=100', token: other.token })).json<{ items: MediaAsset[] }>();
      expect(listed.items.map((item) => item.id)).not.toContain(asset.id);
      const seen = await withTenant({ db: t.kernel.db, tenantId: other.tenant.id }, (tx) => getAssetsForValidation(tx, [asset.id]));
      expect(seen.size).toBe(0);
      expect(await signAssetUrls({ ...t.kernel, tenantId: other.tenant.id }, [{ assetId: asset.id, rendition: 'thumb' }])).toEqual([{ assetId: asset.id, rendition: 'thumb', url: null }]);
      await expect(
        resolveMediaReferences(t.kernel, other.tenant.id, { text: '', media: [{ url: toMediaReference(asset.id, 'facebook'), kind: 'image', altText: null, mimeType: null }] }),
      ).rejects.toBeInstanceOf(MediaReferenceError);
    });

    it('keeps one account’s assets out of another account’s library; tenant-wide ones are shared', async () => {
      const second = await request(t.app, { method: 'POST', url: '/api/accounts', token: tenant.token, payload: { name: 'Second client' } });
      const switched = await request(t.app, { method: 'POST', url: '/api/auth/switch', token: tenant.token, payload: { tenantId: tenant.tenant.id, accountId: second.json().id } });
      const secondToken = switched.json().accessToken as string;
      const own = await uploadReadyImage(t, tenant.token);
      const shared = await uploadMedia(t, tenant.token, { name: 'logo.png', data: await noisePng(20, 20) }, { scope: 'tenant' });
      expect(shared.json<MediaAsset>().accountId).toBeNull();
      const ids = (await request(t.app, { url: '/api/media/assets?limit=100', token: secondToken })).json<{ items: MediaAsset[] }>().items.map((item) => item.id);
      expect(ids).toContain(shared.json<MediaAsset>().id);
      expect(ids).not.toContain(own.id);
      expect((await request(t.app, { url: `/api/media/assets/${own.id}`, token: secondToken })).statusCode).toBe(404);
    });
  });

  describe('exports for other modules', () => {
    it('resolveMediaReferences signs ready renditions for the networks and refuses deleted assets', async () => {
      const fresh = await registerTenant(t.app);
      const asset = await uploadReadyImage(t, fresh.token);
      const content = { text: 'Hello', media: [{ url: toMediaReference(asset.id, 'instagram'), kind: 'image' as const, altText: 'x', mimeType: null }, { url: 'https://cdn.example.com/a.png', kind: 'image' as const, altText: null, mimeType: 'image/png' }] };
      const resolved = await resolveMediaReferences(t.kernel, fresh.tenant.id, content);
      expect(resolved.media[1]).toEqual(content.media[1]);
      expect(resolved.media[0]!.mimeType).toBe('image/jpeg');
      const signed = new URL(resolved.media[0]!.url);
      expect(signed.origin).toBe('https://omni.example.test');
      const lifetime = Number(signed.searchParams.get('exp')) - Date.now() / 1000;
      expect(lifetime).toBeGreaterThan(86_000);
      expect((await t.app.inject({ url: pathOf(resolved.media[0]!.url) })).statusCode).toBe(200);

      expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${asset.id}`, token: fresh.token })).statusCode).toBe(204);
      const error = await resolveMediaReferences(t.kernel, fresh.tenant.id, content).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MediaReferenceError);
      expect((error as Error).message).toMatch(/was deleted from the library/);
    });

    it('getAssetsForValidation and signAssetUrls describe ready assets and their renditions', async () => {
      const asset = await uploadReadyImage(t, tenant.token);
      const found = await withTenant({ db: t.kernel.db, tenantId: tenant.tenant.id }, (tx) => getAssetsForValidation(tx, [asset.id, '00000000-0000-4000-8000-000000000000']));
      expect([...found.keys()]).toEqual([asset.id]);
      expect(found.get(asset.id)).toMatchObject({ kind: 'image', status: 'ready', mimeType: 'image/jpeg', width: 400, height: 600, renditions: { instagram: { mimeType: 'image/jpeg', width: 400, height: 600 } } });
      const [url] = await signAssetUrls({ ...t.kernel, tenantId: tenant.tenant.id }, [{ assetId: asset.id, rendition: 'medium' }]);
      expect((await t.app.inject({ url: pathOf(url!.url!) })).headers['content-type']).toBe('image/webp');
    });

    it('importMediaFromUrl brings an image in like an upload, and refuses what is not one', async () => {
      const fresh = await registerTenant(t.app);
      const imported = await importMediaFromUrl(t.kernel, { tenantId: fresh.tenant.id, accountId: fresh.accountId, url: `${origin.url}/image.png`, createdBy: null, altText: 'From the blog' });
      expect(imported).toMatchObject({ status: 'processing', mimeType: 'image/png', originalName: 'image.png', altText: 'From the blog', createdBy: null });
      await t.drainJobs();
      expect((await request(t.app, { url: `/api/media/assets/${imported.id}`, token: fresh.token })).json<MediaAsset>().status).toBe('ready');

      const notImage = await importMediaFromUrl(t.kernel, { tenantId: fresh.tenant.id, accountId: null, url: `${origin.url}/bytes?count=5000`, createdBy: null }).catch((caught: unknown) => caught);
      expect(notImage).toMatchObject({ status: 415, code: 'media.unsupported_type' });
      const privateAddress = await importMediaFromUrl(t.kernel, { tenantId: fresh.tenant.id, accountId: null, url: 'https://10.0.0.5/a.png', createdBy: null }).catch((caught: unknown) => caught);
      expect(privateAddress).toMatchObject({ status: 422, code: 'media.import_refused' });
      expect((privateAddress as Error).message).toMatch(/private address/);
      expect((await countMediaRows(t, fresh.tenant.id)).assets).toBe(1);
    });
  });

  it('streams files larger than the JSON body limit (BODY_LIMIT_BYTES does not apply to uploads)', async () => {
    const big = await noisePng(800, 800);
    expect(big.length).toBeGreaterThan(t.kernel.config.BODY_LIMIT_BYTES);
    const response = await uploadMedia(t, tenant.token, { name: 'poster.png', data: big });
    expect(response.statusCode).toBe(201);
    expect(response.json<MediaAsset>().byteSize).toBe(big.length);
  });

  describe('orphan sweep', () => {
    it('deletes raw uploads older than a day that no processing asset owns, and keeps the rest', async () => {
      const fresh = await registerTenant(t.app);
      const store = getBlobStore(t.kernel.config);
      const orphan = `t/${fresh.tenant.id}/a/${randomUUID()}/upload.raw`;
      const recent = `t/${fresh.tenant.id}/a/${randomUUID()}/upload.raw`;
      await store.put(orphan, Readable.from([Buffer.from('crashed before its row was written')]), { contentType: 'application/octet-stream' });
      await store.put(recent, Readable.from([Buffer.from('still arriving')]), { contentType: 'application/octet-stream' });
      const processing = await uploadMedia(t, fresh.token, { name: 'photo.jpg', data: await phoneJpeg() });
      const processingRaw = `t/${fresh.tenant.id}/a/${processing.json<MediaAsset>().id}/upload.raw`;
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600_000);
      for (const key of [orphan, processingRaw]) await utimes(path.join(mediaLocalDir(t.kernel.config), ...key.split('/')), twoDaysAgo, twoDaysAgo);

      await withSystemAccess(t.kernel, 'test: media orphan sweep', (tx) => sweepOrphansJob.run({ ...t.kernel, tenantId: null, jobId: 'test', attempt: 1 }, {}, tx));
      expect(await store.head(orphan)).toBeNull();
      expect(await store.head(recent)).not.toBeNull();
      expect(await store.head(processingRaw)).not.toBeNull();
    });
  });

  describe('videos', () => {
    it('accepts an MP4 by its bytes, probes duration and size, and points every network at the original', async () => {
      const response = await uploadMedia(t, tenant.token, { name: 'clip.bin', contentType: 'application/octet-stream', data: tinyMp4() });
      expect(response.statusCode).toBe(201);
      expect(response.json<MediaAsset>()).toMatchObject({ kind: 'video', mimeType: 'video/mp4' });
      await t.drainJobs();
      const asset = (await request(t.app, { url: `/api/media/assets/${response.json<MediaAsset>().id}`, token: tenant.token })).json<MediaAsset>();
      expect(asset).toMatchObject({ status: 'ready', width: 320, height: 240, durationMs: 3000, thumbUrl: null });
      expect(asset.renditions.map((rendition) => rendition.name)).toEqual(['original', 'facebook', 'instagram', 'x', 'linkedin', 'pinterest']);
      expect(new Set(asset.renditions.map((rendition) => new URL(rendition.url).pathname))).toEqual(new Set([new URL(asset.renditions[0]!.url).pathname]));
      const served = await t.app.inject({ url: pathOf(asset.renditions[0]!.url) });
      expect(served.headers['content-type']).toBe('video/mp4');
      expect(served.rawPayload.equals(tinyMp4())).toBe(true);
    });

    it('still refuses text however it is named', async () => {
      const response = await uploadMedia(t, tenant.token, { name: 'clip.mp4', contentType: 'video/mp4', data: textFile });
      expect(response.statusCode).toBe(415);
    });
  });
});
