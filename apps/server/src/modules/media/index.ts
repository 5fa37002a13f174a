import type { OmniModule } from '../../kernel/module.js';
import './media.permissions.js';
import { mediaJobs } from './media.jobs.js';
import { mediaRoutes } from './media.routes.js';

/**
 * The media module: the library (streaming uploads typed by their bytes, sanitized images and per-network
 * renditions, videos probed), per-plan limits and the tenant's quota, holds other modules place on assets,
 * signed URLs, and the public signed blob route. See README.md and docs/design/content-studio.md §5.
 */
export function mediaModule(): OmniModule {
  return {
    name: 'media',
    routes: mediaRoutes,
    jobs: mediaJobs,
  };
}

export {
  /** In the caller's transaction: make a holder (e.g. content.post:<uuid>) hold exactly these assets. */
  holdAssets,
  /** In the caller's transaction: drop every hold of a holder. */
  releaseAssets,
  /** In the caller's transaction: what validation needs of assets (kind, type, size, status, renditions), by id. */
  getAssetsForValidation,
  /** Console/approval URLs (MEDIA_URL_TTL_SECONDS) for asset renditions, null when not ready. */
  signAssetUrls,
  /** Publish time: omni-media:// references → URLs signed for MEDIA_NETWORK_URL_TTL_SECONDS; MediaReferenceError when gone. */
  resolveMediaReferences,
  MediaReferenceError,
  type AssetUrlRequest,
  type MediaAssetForValidation,
  type MediaKernel,
  type RenditionFacts,
} from './use-cases/references.js';

export {
  /** Download a URL under the outbound policy into the library (feeds: an article's image). */
  importMediaFromUrl,
  type ImportMediaInput,
} from './use-cases/import-url.js';

export {
  /** The tenant's plan limits (MEDIA_PLAN_LIMITS by tenants.plan): the seam billing replaces. */
  resolveMediaLimits,
  type MediaLimits,
} from './media.limits.js';
