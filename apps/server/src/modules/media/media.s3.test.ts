import { toMediaReference, type MediaAsset } from '@omni/contracts/media';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneJpeg, readUsage, uploadMedia } from '../../../test/factories/media.js';
import { startFakeS3, type FakeS3 } from '../../../test/fakes/s3.js';
import { registerTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';
import { resolveMediaReferences } from './index.js';
import { purgeAssetJob } from './media.jobs.js';
import { processAsset } from './use-cases/process-asset.js';

/** The whole pipeline with MEDIA_STORAGE=s3, against the local fake S3 server. */
describe('media on S3-compatible storage', () => {
  let t: TestApp;
  let s3: FakeS3;

  beforeAll(async () => {
    s3 = await startFakeS3({ bucket: 'omni-media' });
    t = await createTestApp({
      MEDIA_STORAGE: 's3',
      MEDIA_S3_BUCKET: s3.bucket,
      MEDIA_S3_ENDPOINT: s3.url,
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
      MEDIA_S3_ACCESS_KEY_ID: s3.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('stores uploads and renditions in the bucket, under id-only keys, and presigns their URLs', async () => {
    const tenant = await registerTenant(t.app);
    const response = await uploadMedia(t, tenant.token, { name: '../../etc/passwd.jpg', data: await phoneJpeg() });
    expect(response.statusCode).toBe(201);
    const id = response.json<MediaAsset>().id;
    expect(response.json<MediaAsset>().originalName).toBe('passwd.jpg');
    expect([...s3.objects.keys()]).toContain(`t/${tenant.tenant.id}/a/${id}/upload.raw`);
    // The jobs run here directly, not through drainJobs: that would also run other test files' jobs,
    // whose files are in the local store, against this app's bucket.
    await processAsset(t.kernel, tenant.tenant.id, id);

    const asset = (await request(t.app, { url: `/api/media/assets/${id}`, token: tenant.token })).json<MediaAsset>();
    expect(asset.status).toBe('ready');
    const keys = [...s3.objects.keys()].filter((key) => key.startsWith(`t/${tenant.tenant.id}/`));
    expect(keys).not.toContain(`t/${tenant.tenant.id}/a/${id}/upload.raw`);
    expect(keys.every((key) => /^t\/[0-9a-f-]{36}\/a\/[0-9a-f-]{36}\/[a-z]+\.(jpg|png|webp)$/.test(key))).toBe(true);
    const thumb = new URL(asset.thumbUrl!);
    expect(thumb.origin).toBe(s3.url);
    expect(thumb.searchParams.get('X-Amz-Expires')).toBe('3600');
    const fetched = await fetch(thumb);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/webp');

    const resolved = await resolveMediaReferences(t.kernel, tenant.tenant.id, { media: [{ url: toMediaReference(id, 'x'), mimeType: null }] });
    expect(new URL(resolved.media[0]!.url).searchParams.get('X-Amz-Expires')).toBe('86400');

    expect((await request(t.app, { method: 'DELETE', url: `/api/media/assets/${id}`, token: tenant.token })).statusCode).toBe(204);
    await purgeAssetJob.run({ ...t.kernel, tenantId: tenant.tenant.id, jobId: 'test', attempt: 1 }, { assetId: id }, null);
    expect([...s3.objects.keys()].filter((key) => key.startsWith(`t/${tenant.tenant.id}/`))).toEqual([]);
    expect((await readUsage(t, tenant.token)).bytesUsed).toBe(0);
  });
});
