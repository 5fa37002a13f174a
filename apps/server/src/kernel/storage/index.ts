import type { Config } from '../config.js';
import { mediaLocalDir, publicBaseUrl, type BlobStore } from './blob-store.js';
import { createLocalBlobStore } from './local.js';
import { createS3BlobStore } from './s3.js';
import { createUrlSigner } from './signed-urls.js';

export {
  assertBlobKey,
  BlobNotFoundError,
  contentTypeOfKey,
  mediaFetchAllowedOrigins,
  mediaLocalDir,
  mediaStorageConfigIssues,
  publicBaseUrl,
  s3PublicOrigin,
  type BlobInfo,
  type BlobStore,
} from './blob-store.js';
export { createLocalBlobStore } from './local.js';
export { createS3BlobStore, type S3StoreSettings } from './s3.js';
export { createUrlSigner, type UrlSigner } from './signed-urls.js';

const stores = new WeakMap<Config, BlobStore>();

/** The configured store (MEDIA_STORAGE), one per configuration object. */
export function getBlobStore(config: Config): BlobStore {
  let store = stores.get(config);
  if (!store) {
    store =
      config.MEDIA_STORAGE === 's3'
        ? createS3BlobStore({
            bucket: config.MEDIA_S3_BUCKET!,
            region: config.MEDIA_S3_REGION,
            endpoint: config.MEDIA_S3_ENDPOINT,
            accessKeyId: config.MEDIA_S3_ACCESS_KEY_ID!,
            secretAccessKey: config.MEDIA_S3_SECRET_ACCESS_KEY!,
            forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE,
          })
        : createLocalBlobStore({ dir: mediaLocalDir(config), publicUrl: publicBaseUrl(config), signer: createUrlSigner(config) });
    stores.set(config, store);
  }
  return store;
}
