import type { MediaAsset } from '@omni/contracts/media';
import { unsupportedMediaTypeMessage } from '@omni/contracts/media';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countMediaRows, storedMediaFiles, damagedJpeg, hasGpsPointer, multipartBody, noisePng, phoneJpeg, readUsage, textFile, transparentPng, uploadMedia, uploadReadyImage } from '../../../test/factories/media.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

const MB = 1024 * 1024;

/** GET a signed URL through the app (local storage serves /blobs/…). */
async function fetchSigned(t: TestApp, url: string) {
  const parsed = new URL(url);
  return t.app.inject({ method: 'GET', url: parsed.pathname + parsed.search });
}

describe('media uploads', () => {
  let t: TestApp;
  let tenant: RegisteredTenant;

  beforeAll(async () => {
    // Small limits so the size tests stay fast: images 1 MB, videos 2 MB, quota 3 MB.
    t = await createTestApp({ MEDIA_PLAN_LIMITS: 'starter=1/2/3,default=1/2/3', PUBLIC_URL: 'https://omni.example.test' });
    tenant = await registerTenant(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams an upload in, answers it processing, and the job makes it ready with renditions', async () => {
    const response = await uploadMedia(t, tenant.token, { name: 'holiday.jpg', contentType: 'image/jpeg', data: await phoneJpeg() }, { altText: 'Beach at dawn', tags: 'Summer, beach,summer' });
    expect(response.statusCode).toBe(201);
    const created = response.json<MediaAsset>();
    expect(created).toMatchObject({ status: 'processing', kind: 'image', mimeType: 'image/jpeg', originalName: 'holiday.jpg', altText: 'Beach at dawn', tags: ['summer', 'beach'], accountId: tenant.accountId, thumbUrl: null });
    await t.drainJobs();
    const ready = (await request(t.app, { url: `/api/media/assets/${created.id}`, token: tenant.token })).json<MediaAsset>();
    expect(ready.status).toBe('ready');
    expect(ready.renditions.map((rendition) => rendition.name)).toEqual(['original', 'thumb', 'medium', 'facebook', 'instagram', 'x', 'linkedin', 'pinterest']);
    expect(ready.thumbUrl).toMatch(/^https:\/\/omni\.example\.test\/blobs\/t\/.+\/thumb\.webp\?exp=\d+&kid=k1&sig=/);
    const listed = (await request(t.app, { url: '/api/media/assets', token: tenant.token })).json<{ items: MediaAsset[] }>();
    expect(listed.items.map((item) => item.id)).toContain(created.id);
    // The raw upload is gone once the sanitized original exists.
    expect(await storedMediaFiles(t, tenant.tenant.id)).not.toContain('upload.raw');
  });

  it('refuses a text file named .png with 415 and stores nothing: no blob, no row, no usage', async () => {
    const fresh = await registerTenant(t.app);
    const response = await uploadMedia(t, fresh.token, { name: 'notes.png', contentType: 'image/png', data: textFile });
    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'media.unsupported_type', detail: unsupportedMediaTypeMessage });
    expect(await countMediaRows(t, fresh.tenant.id)).toEqual({ assets: 0, bytesUsed: 0 });
    expect(await storedMediaFiles(t, fresh.tenant.id)).toEqual([]);
    expect((await readUsage(t, fresh.token)).bytesUsed).toBe(0);
  });

  it('stops an image over the plan’s limit mid-stream with 413, leaving nothing', async () => {
    const fresh = await registerTenant(t.app);
    const big = await noisePng(700, 700);
    expect(big.length).toBeGreaterThan(1 * MB);
    const response = await uploadMedia(t, fresh.token, { name: 'big.png', contentType: 'image/png', data: big });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'media.file_too_large', detail: 'Images may be at most 1 MB on the Starter plan.' });
    expect(await countMediaRows(t, fresh.tenant.id)).toEqual({ assets: 0, bytesUsed: 0 });
    expect(await storedMediaFiles(t, fresh.tenant.id)).toEqual([]);
  });

  it('refuses before reading when the declared length cannot fit in the remaining quota', async () => {
    const fresh = await registerTenant(t.app);
    await t.owner.query(`INSERT INTO media_usage (tenant_id, bytes_used, asset_count) VALUES ($1, $2, 1)`, [fresh.tenant.id, 3 * MB - 1000]);
    const response = await uploadMedia(t, fresh.token, { name: 'photo.jpg', data: await phoneJpeg() });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('media.quota_exceeded');
    expect(await countMediaRows(t, fresh.tenant.id)).toEqual({ assets: 0, bytesUsed: 3 * MB - 1000 });
  });

  it('lets only one of two parallel uploads take the last of the quota', async () => {
    const fresh = await registerTenant(t.app);
    const image = await noisePng(550, 550);
    expect(image.length).toBeLessThan(1 * MB);
    // Room for one of them, not both.
    const before = 3 * MB - Math.round(image.length * 1.5);
    await t.owner.query(`INSERT INTO media_usage (tenant_id, bytes_used, asset_count) VALUES ($1, $2, 1)`, [fresh.tenant.id, before]);
    const body = multipartBody({ name: 'a.png', contentType: 'image/png', data: image });
    // No Content-Length, so both pass the fast check and race to the atomic reservation.
    const send = () => t.app.inject({ method: 'POST', url: '/api/media/assets', headers: { authorization: `Bearer ${fresh.token}`, 'content-type': body.headers['content-type']! }, payload: body.payload });
    const responses = await Promise.all([send(), send()]);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 413]);
    expect(responses.find((response) => response.statusCode === 413)!.json().code).toBe('media.quota_exceeded');
    expect(await countMediaRows(t, fresh.tenant.id)).toEqual({ assets: 1, bytesUsed: before + image.length });
    expect((await storedMediaFiles(t, fresh.tenant.id)).filter((name) => name === 'upload.raw')).toHaveLength(1);
  });

  it('strips EXIF (GPS included) and applies the orientation in every rendition', async () => {
    const original = await phoneJpeg(600, 400);
    const input = await sharp(original).metadata();
    expect(input.orientation).toBe(6);
    expect(hasGpsPointer(input.exif)).toBe(true);
    const asset = await uploadReadyImage(t, tenant.token, original);
    expect(asset).toMatchObject({ width: 400, height: 600 });
    for (const rendition of asset.renditions) {
      const response = await fetchSigned(t, rendition.url);
      expect(response.statusCode, rendition.name).toBe(200);
      const image = sharp(response.rawPayload);
      const metadata = await image.metadata();
      expect(metadata.exif, rendition.name).toBeUndefined();
      expect(hasGpsPointer(response.rawPayload), rendition.name).toBe(false);
      expect(metadata.xmp, rendition.name).toBeUndefined();
      expect(metadata.iptc, rendition.name).toBeUndefined();
      expect(metadata.orientation ?? 1, rendition.name).toBe(1);
      expect(response.rawPayload.includes(Buffer.from('OmniPhone')), rendition.name).toBe(false);
      // Viewed upright the image is tall, and the red half that was on the left is now on top.
      expect(metadata.height!, rendition.name).toBeGreaterThan(metadata.width!);
      const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
      const [topRed, , topBlue] = pixel(Math.floor(info.width / 2), Math.floor(info.height / 4));
      const [bottomRed, , bottomBlue] = pixel(Math.floor(info.width / 2), Math.floor((info.height * 3) / 4));
      expect(topRed! > 200 && topBlue! < 60, `${rendition.name} top is red`).toBe(true);
      expect(bottomBlue! > 200 && bottomRed! < 60, `${rendition.name} bottom is blue`).toBe(true);
    }
  });

  it('makes renditions to spec and stores identical outputs once', async () => {
    const wide = await sharp({ create: { width: 2500, height: 1000, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    const asset = await uploadReadyImage(t, tenant.token, wide, 'banner.jpg');
    const byName = Object.fromEntries(asset.renditions.map((rendition) => [rendition.name, rendition]));
    expect(byName.thumb).toMatchObject({ mimeType: 'image/webp', width: 320, height: 128 });
    expect(byName.medium).toMatchObject({ mimeType: 'image/webp', width: 1080, height: 432 });
    expect(byName.facebook).toMatchObject({ mimeType: 'image/jpeg', width: 2048, height: 819 });
    expect(byName.linkedin).toMatchObject({ mimeType: 'image/jpeg', width: 2048, height: 819 });
    expect(byName.instagram).toMatchObject({ mimeType: 'image/jpeg', width: 1440, height: 576 });
    expect(byName.x).toMatchObject({ mimeType: 'image/jpeg', width: 2500, height: 1000 });
    expect(byName.pinterest).toMatchObject({ mimeType: 'image/jpeg', width: 2500, height: 1000 });
    for (const rendition of asset.renditions) {
      const metadata = await sharp((await fetchSigned(t, rendition.url)).rawPayload).metadata();
      expect([metadata.width, metadata.height], rendition.name).toEqual([rendition.width, rendition.height]);
    }
    const keys = await t.owner.query<{ name: string; storage_key: string }>(`SELECT name, storage_key FROM media_renditions WHERE asset_id = $1`, [asset.id]);
    const keyOf = Object.fromEntries(keys.rows.map((row) => [row.name, row.storage_key]));
    expect(keyOf.linkedin).toBe(keyOf.facebook);
    expect(keyOf.pinterest).toBe(keyOf.x);
    expect(new Set(Object.values(keyOf)).size).toBeLessThan(8);
    // Usage counts each stored object once.
    const files = await t.owner.query<{ bytes: string }>(
      `SELECT sum(byte_size) AS bytes FROM (SELECT DISTINCT ON (storage_key) storage_key, byte_size FROM media_renditions WHERE asset_id = $1) AS distinct_objects`,
      [asset.id],
    );
    const usage = await readUsage(t, tenant.token);
    expect(usage.bytesUsed).toBeGreaterThanOrEqual(Number(files.rows[0]!.bytes));
  });

  it('keeps PNG transparency where networks take PNG and flattens it on white for Instagram', async () => {
    const asset = await uploadReadyImage(t, tenant.token, await transparentPng(), 'logo.png');
    const byName = Object.fromEntries(asset.renditions.map((rendition) => [rendition.name, rendition]));
    expect(byName.original!.mimeType).toBe('image/png');
    expect(byName.facebook!.mimeType).toBe('image/png');
    expect(byName.instagram!.mimeType).toBe('image/jpeg');
    const instagram = await sharp((await fetchSigned(t, byName.instagram!.url)).rawPayload).raw().toBuffer();
    // rgba(0,128,0,0.5) over white.
    expect(instagram[0]).toBeGreaterThan(110);
    expect(instagram[1]).toBeGreaterThan(170);
  });

  it('marks an image sharp cannot decode as failed, deletes its blobs and releases the quota', async () => {
    const fresh = await registerTenant(t.app);
    // The bytes start like a JPEG, the image is not one.
    const damaged = damagedJpeg;
    const response = await uploadMedia(t, fresh.token, { name: 'broken.jpg', data: damaged });
    expect(response.statusCode).toBe(201);
    expect((await countMediaRows(t, fresh.tenant.id)).bytesUsed).toBe(damaged.length);
    await t.drainJobs();
    const asset = (await request(t.app, { url: `/api/media/assets/${response.json<MediaAsset>().id}`, token: fresh.token })).json<MediaAsset>();
    expect(asset.status).toBe('failed');
    expect(asset.failureReason).toMatch(/damaged or not a real JPEG/);
    expect(await countMediaRows(t, fresh.tenant.id)).toEqual({ assets: 1, bytesUsed: 0 });
    expect(await storedMediaFiles(t, fresh.tenant.id)).toEqual([]);
  });

  it('needs media:upload: a viewer reads the library but cannot upload', async () => {
    const viewer = await addMember(t, tenant.token, { role: 'viewer', accountId: tenant.accountId });
    expect((await request(t.app, { url: '/api/media/assets', token: viewer.token })).statusCode).toBe(200);
    const response = await uploadMedia(t, viewer.token, { name: 'photo.jpg', data: await phoneJpeg() });
    expect(response.statusCode).toBe(403);
  });

  it('answers 415 for a non-multipart body and 422 for bad fields, storing nothing', async () => {
    const fresh = await registerTenant(t.app);
    const noFile = await request(t.app, { method: 'POST', url: '/api/media/assets', token: fresh.token, payload: { hello: 'json' } });
    expect(noFile.statusCode).toBe(415);
    const badTags = await uploadMedia(t, fresh.token, { name: 'photo.jpg', data: await phoneJpeg() }, { tags: 'x'.repeat(41) });
    expect(badTags.statusCode).toBe(422);
    expect(await countMediaRows(t, fresh.tenant.id)).toEqual({ assets: 0, bytesUsed: 0 });
  });
});
