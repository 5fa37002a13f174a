import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { publicBaseUrl } from '../http/public-url.js';
export { publicBaseUrl } from '../http/public-url.js';

/**
 * Where the media library keeps its bytes. Keys are built by callers from ids only
 * (t/<tenant>/a/<asset>/<name>.<ext>): no user text ever reaches a path or an S3 key.
 */
export type BlobInfo = { key: string; bytes: number; lastModified: Date };

export type BlobStore = {
  readonly driver: 'local' | 's3';
  /** Stream into the store; the object appears whole (temp name + rename, or a completed upload) or not at all. */
  put(key: string, body: Readable, options: { contentType: string }): Promise<{ bytes: number }>;
  /** The object's bytes; throws BlobNotFoundError when there is none. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<BlobInfo | null>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Objects under a key prefix (e.g. "t/" for every tenant), for sweeps. */
  list(prefix: string): AsyncIterable<BlobInfo>;
  /** A URL anyone holding it may GET until it expires (ttl capped at 7 days). */
  signedGetUrl(key: string, ttlSeconds: number): Promise<string>;
};

export class BlobNotFoundError extends Error {
  constructor(key: string) {
    super(`No stored object ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

const keyPattern = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,1023}$/;

/** Keys are ids joined by slashes; anything else (.., //, absolute paths) is a programming error. */
export function assertBlobKey(key: string): void {
  if (!keyPattern.test(key) || key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new Error(`Invalid blob key ${JSON.stringify(key)}`);
  }
}

const contentTypes: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
};

/** The Content-Type a key is served with, from its extension (the store decides, never the uploader). */
export function contentTypeOfKey(key: string): string {
  return contentTypes[path.extname(key).toLowerCase()] ?? 'application/octet-stream';
}

export function mediaLocalDir(config: Pick<Config, 'MEDIA_LOCAL_DIR' | 'DATA_DIR'>): string {
  return path.resolve(config.MEDIA_LOCAL_DIR ?? path.join(config.DATA_DIR, 'media'));
}

type S3Settings = Pick<Config, 'MEDIA_S3_BUCKET' | 'MEDIA_S3_REGION' | 'MEDIA_S3_ENDPOINT' | 'MEDIA_S3_FORCE_PATH_STYLE'>;

/** The origin presigned S3 URLs are on: the endpoint (path style) or <bucket>.<endpoint host> (virtual-host style). */
export function s3PublicOrigin(config: S3Settings): string {
  const endpoint = new URL(config.MEDIA_S3_ENDPOINT ?? `https://s3.${config.MEDIA_S3_REGION}.amazonaws.com`);
  if (config.MEDIA_S3_FORCE_PATH_STYLE) return endpoint.origin;
  return `${endpoint.protocol}//${config.MEDIA_S3_BUCKET}.${endpoint.host}`;
}

type AllowlistSettings = S3Settings & Pick<Config, 'MEDIA_STORAGE' | 'MEDIA_FETCH_ALLOWED_ORIGINS' | 'PUBLIC_URL' | 'PORT'>;

/**
 * The media fetch allowlist (decision 008): MEDIA_FETCH_ALLOWED_ORIGINS when set, else PUBLIC_URL's origin
 * — where local storage's signed URLs live — plus the bucket's origin when media are stored in S3.
 */
export function mediaFetchAllowedOrigins(config: AllowlistSettings): string[] {
  if (config.MEDIA_FETCH_ALLOWED_ORIGINS.length > 0) return config.MEDIA_FETCH_ALLOWED_ORIGINS;
  const origins = [new URL(publicBaseUrl(config)).origin];
  if (config.MEDIA_STORAGE === 's3' && config.MEDIA_S3_BUCKET) origins.push(s3PublicOrigin(config));
  return origins;
}

/** Configuration problems of the media storage settings, as "VARIABLE: message" lines (empty when fine). */
export function mediaStorageConfigIssues(config: AllowlistSettings & Pick<Config, 'MEDIA_S3_ACCESS_KEY_ID' | 'MEDIA_S3_SECRET_ACCESS_KEY'>): string[] {
  if (config.MEDIA_STORAGE !== 's3') return [];
  const issues: string[] = [];
  if (!config.MEDIA_S3_BUCKET) issues.push('MEDIA_S3_BUCKET: required when MEDIA_STORAGE=s3');
  if (!config.MEDIA_S3_ACCESS_KEY_ID) issues.push('MEDIA_S3_ACCESS_KEY_ID: required when MEDIA_STORAGE=s3');
  if (!config.MEDIA_S3_SECRET_ACCESS_KEY) issues.push('MEDIA_S3_SECRET_ACCESS_KEY: required when MEDIA_STORAGE=s3');
  if (issues.length > 0 || config.MEDIA_FETCH_ALLOWED_ORIGINS.length === 0) return issues;
  const origin = s3PublicOrigin(config);
  if (!config.MEDIA_FETCH_ALLOWED_ORIGINS.includes(origin)) {
    issues.push(`MEDIA_FETCH_ALLOWED_ORIGINS: add ${origin}, the S3 bucket's origin, or the networks cannot fetch media from the library`);
  }
  return issues;
}
