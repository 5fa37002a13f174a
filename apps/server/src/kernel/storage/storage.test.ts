import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeS3, type FakeS3 } from '../../../test/fakes/s3.js';
import { parseConfig, type Config } from '../config.js';
import { BlobNotFoundError, createLocalBlobStore, createS3BlobStore, createUrlSigner, mediaFetchAllowedOrigins, type BlobStore } from './index.js';

/** A configuration without the test harness (which builds the whole app). */
const testConfig = (overrides: Record<string, string>) => parseConfig({ ENCRYPTION_KEY: 'x'.repeat(32), ...overrides }) as Config;

const signerConfig = { ENCRYPTION_KEY: 'storage-test-key-storage-test-key-0123', ENCRYPTION_KEY_ID: 'k2', ENCRYPTION_PREVIOUS_KEYS: ['k1:previous-key-previous-key-previous-0123'] };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The same behaviour from both drivers. */
function behavesLikeABlobStore(name: string, open: () => BlobStore) {
  describe(`${name} blob store`, () => {
    it('streams a put in, reads it back, heads, lists and deletes it', async () => {
      const store = open();
      const body = Buffer.alloc(70_000, 3);
      const put = await store.put('t/one/a/two/upload.raw', Readable.from([body.subarray(0, 1000), body.subarray(1000)]), { contentType: 'application/octet-stream' });
      expect(put.bytes).toBe(70_000);
      expect((await buffer(await store.get('t/one/a/two/upload.raw'))).equals(body)).toBe(true);
      expect((await store.head('t/one/a/two/upload.raw'))?.bytes).toBe(70_000);
      expect((await collect(store.list('t/one/'))).map((item) => item.key)).toEqual(['t/one/a/two/upload.raw']);
      await store.delete('t/one/a/two/upload.raw');
      expect(await store.head('t/one/a/two/upload.raw')).toBeNull();
      await expect(store.get('t/one/a/two/upload.raw')).rejects.toBeInstanceOf(BlobNotFoundError);
      await store.delete('t/one/a/two/upload.raw');
    });

    it('refuses keys that could leave the store (.., empty segments)', async () => {
      const store = open();
      await expect(store.put('t/../../etc/passwd', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toThrow(/Invalid blob key/);
      await expect(store.get('/absolute')).rejects.toThrow(/Invalid blob key/);
    });

    it('leaves nothing behind when the body fails midway', async () => {
      const store = open();
      async function* failing() {
        yield Buffer.alloc(1000, 1);
        throw new Error('client went away');
      }
      await expect(store.put('t/two/a/broken/upload.raw', Readable.from(failing()), { contentType: 'application/octet-stream' })).rejects.toThrow(/client went away/);
      expect(await store.head('t/two/a/broken/upload.raw')).toBeNull();
    });
  });
}

describe('kernel storage', () => {
  let directory: string;
  let s3: FakeS3;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'omni-storage-'));
    s3 = await startFakeS3();
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
    await s3?.close();
  });

  const local = () => createLocalBlobStore({ dir: directory, publicUrl: 'https://omni.example.com', signer: createUrlSigner(signerConfig) });
  const bucket = () =>
    createS3BlobStore({ bucket: s3.bucket, region: 'us-east-1', endpoint: s3.url, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });

  behavesLikeABlobStore('local', local);
  behavesLikeABlobStore('S3', bucket);

  describe('local signed URLs', () => {
    it('point at PUBLIC_URL/blobs and verify until they expire', async () => {
      const url = new URL(await local().signedGetUrl('t/a/a/b/thumb.webp', 60));
      expect(url.origin + url.pathname).toBe('https://omni.example.com/blobs/t/a/a/b/thumb.webp');
      const query = Object.fromEntries(url.searchParams) as { exp: string; kid: string; sig: string };
      const signer = createUrlSigner(signerConfig);
      expect(query.kid).toBe('k2');
      expect(signer.verify('t/a/a/b/thumb.webp', query)).toBe('valid');
      expect(signer.verify('t/a/a/b/thumb.webp', query, new Date((Number(query.exp) + 1) * 1000))).toBe('expired');
    });

    it('refuse a tampered key, expiry or signature, and another installation’s key', () => {
      const signer = createUrlSigner(signerConfig);
      const signed = signer.sign('t/a/a/b/medium.webp', Date.now() / 1000 + 60);
      expect(signer.verify('t/a/a/c/medium.webp', signed)).toBe('invalid');
      expect(signer.verify('t/a/a/b/medium.webp', { ...signed, exp: String(Number(signed.exp) + 3600) })).toBe('invalid');
      expect(signer.verify('t/a/a/b/medium.webp', { ...signed, sig: signed.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).toBe('invalid');
      expect(signer.verify('t/a/a/b/medium.webp', { ...signed, kid: 'unknown' })).toBe('invalid');
      const foreign = createUrlSigner({ ...signerConfig, ENCRYPTION_KEY: 'another-installation-key-0123456789abc' }).sign('t/a/a/b/medium.webp', Date.now() / 1000 + 60);
      expect(signer.verify('t/a/a/b/medium.webp', foreign)).toBe('invalid');
    });

    it('signed with a previous key keep verifying during a rotation', () => {
      const before = createUrlSigner({ ENCRYPTION_KEY: 'previous-key-previous-key-previous-0123', ENCRYPTION_KEY_ID: 'k1', ENCRYPTION_PREVIOUS_KEYS: [] });
      const signed = before.sign('t/a/a/b/x.jpg', Date.now() / 1000 + 60);
      expect(createUrlSigner(signerConfig).verify('t/a/a/b/x.jpg', signed)).toBe('valid');
    });
  });

  describe('S3 driver against the fake', () => {
    it('uploads a large stream of unknown length as a multipart upload', async () => {
      const store = bucket();
      const before = s3.requests.length;
      const chunk = Buffer.alloc(1024 * 1024, 9);
      const put = await store.put('t/big/a/one/upload.raw', Readable.from(Array.from({ length: 12 }, () => chunk)), { contentType: 'video/mp4' });
      expect(put.bytes).toBe(12 * 1024 * 1024);
      const calls = s3.requests.slice(before);
      expect(calls.some((call) => call.startsWith('POST /omni-media-test/t/big/a/one/upload.raw?uploads'))).toBe(true);
      expect(calls.filter((call) => call.includes('partNumber=')).length).toBeGreaterThanOrEqual(2);
      expect(s3.objects.get('t/big/a/one/upload.raw')?.body.length).toBe(12 * 1024 * 1024);
      expect(s3.objects.get('t/big/a/one/upload.raw')?.contentType).toBe('video/mp4');
    });

    it('presigns GETs that fetch the object until they expire', async () => {
      const store = bucket();
      await store.put('t/p/a/q/medium.webp', Readable.from([Buffer.from('webp bytes')]), { contentType: 'image/webp' });
      const url = await store.signedGetUrl('t/p/a/q/medium.webp', 300);
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('300');
      const fetched = await fetch(url);
      expect(fetched.status).toBe(200);
      expect(await fetched.text()).toBe('webp bytes');
      const expired = new URL(url);
      expired.searchParams.set('X-Amz-Date', '20200101T000000Z');
      expect((await fetch(expired)).status).toBe(403);
      const unsigned = new URL(url);
      unsigned.search = '';
      expect((await fetch(unsigned)).status).toBe(403);
    });

    it('is refused with the wrong credentials', async () => {
      const wrong = createS3BlobStore({ bucket: s3.bucket, region: 'us-east-1', endpoint: s3.url, accessKeyId: 'WRONG', secretAccessKey: 'nope-nope-nope', forcePathStyle: true });
      await expect(wrong.head('t/x/a/y/z.jpg')).rejects.toThrow();
    });
  });

  describe('configuration', () => {
    it('adds the bucket’s origin to the default media fetch allowlist', () => {
      const config = testConfig({ PUBLIC_URL: 'https://omni.example.com', MEDIA_STORAGE: 's3', MEDIA_S3_BUCKET: 'media', MEDIA_S3_ACCESS_KEY_ID: 'a', MEDIA_S3_SECRET_ACCESS_KEY: 'b', MEDIA_S3_ENDPOINT: 'https://s3.eu.example.net' });
      expect(mediaFetchAllowedOrigins(config)).toEqual(['https://omni.example.com', 'https://media.s3.eu.example.net']);
      const pathStyle = testConfig({ PUBLIC_URL: 'https://omni.example.com', MEDIA_STORAGE: 's3', MEDIA_S3_BUCKET: 'media', MEDIA_S3_ACCESS_KEY_ID: 'a', MEDIA_S3_SECRET_ACCESS_KEY: 'b', MEDIA_S3_ENDPOINT: 'https://minio.example.net:9000', MEDIA_S3_FORCE_PATH_STYLE: 'true' });
      expect(mediaFetchAllowedOrigins(pathStyle)).toEqual(['https://omni.example.com', 'https://minio.example.net:9000']);
      expect(mediaFetchAllowedOrigins(testConfig({ PUBLIC_URL: 'https://omni.example.com' }))).toEqual(['https://omni.example.com']);
    });

    it('fails when S3 is chosen without its settings, or an explicit allowlist lacks the bucket', () => {
      expect(() => parseConfig({ MEDIA_STORAGE: 's3' })).toThrow(/MEDIA_S3_BUCKET: required/);
      expect(() =>
        parseConfig({ MEDIA_STORAGE: 's3', MEDIA_S3_BUCKET: 'media', MEDIA_S3_ACCESS_KEY_ID: 'a', MEDIA_S3_SECRET_ACCESS_KEY: 'b', MEDIA_FETCH_ALLOWED_ORIGINS: 'https://omni.example.com' }),
      ).toThrow(/MEDIA_FETCH_ALLOWED_ORIGINS: add https:\/\/media\.s3\.us-east-1\.amazonaws\.com/);
      expect(() => parseConfig({ MEDIA_PLAN_LIMITS: 'starter=20MB' })).toThrow(/MEDIA_PLAN_LIMITS/);
    });
  });
});
