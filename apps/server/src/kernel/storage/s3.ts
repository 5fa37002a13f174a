import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NotFound, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { assertBlobKey, BlobNotFoundError, type BlobInfo, type BlobStore } from './blob-store.js';
import { byteCounter } from './local.js';

export type S3StoreSettings = {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
};

/** SigV4 presigned URLs live at most 7 days. */
const maxTtlSeconds = 7 * 24 * 3600;

function isNotFound(error: unknown): boolean {
  return error instanceof NoSuchKey || error instanceof NotFound || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404);
}

/**
 * An S3-compatible bucket (AWS, MinIO, R2, …): streaming puts of unknown length with lib-storage's Upload
 * (one PutObject for small bodies, a multipart upload for large ones), SigV4 presigned GETs.
 * Checksums are sent only when an operation requires them: several S3-compatible stores reject the
 * streaming trailer checksums recent SDKs add by default.
 */
export function createS3BlobStore(settings: S3StoreSettings): BlobStore & { client: S3Client } {
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = settings.bucket;

  return {
    driver: 's3',
    client,
    async put(key, body: Readable, options) {
      assertBlobKey(key);
      const counter = byteCounter();
      body.once('error', (error) => counter.destroy(error));
      const upload = new Upload({ client, params: { Bucket, Key: key, Body: body.pipe(counter), ContentType: options.contentType } });
      await upload.done();
      return { bytes: counter.bytes };
    },
    async get(key) {
      assertBlobKey(key);
      try {
        const result = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return result.Body as Readable;
      } catch (error) {
        if (isNotFound(error)) throw new BlobNotFoundError(key);
        throw error;
      }
    },
    async head(key) {
      assertBlobKey(key);
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { key, bytes: result.ContentLength ?? 0, lastModified: result.LastModified ?? new Date(0) };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      assertBlobKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async *list(prefix): AsyncGenerator<BlobInfo> {
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }));
        for (const item of page.Contents ?? []) {
          if (item.Key) yield { key: item.Key, bytes: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async signedGetUrl(key, ttlSeconds) {
      assertBlobKey(key);
      return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), { expiresIn: Math.min(ttlSeconds, maxTtlSeconds) });
    },
  };
}
