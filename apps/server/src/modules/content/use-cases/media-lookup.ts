import type { Tx } from '../../../kernel/db/database.js';
import { getAssetsForValidation, holdAssets, releaseAssets, type MediaAssetForValidation } from '../../media/index.js';

/**
 * The one place content reads and holds library assets. What validation knows of an asset: the media
 * module's facts (the original's, and each rendition's); absent ids are not in this tenant's library.
 */
export type AssetLookup = Map<string, MediaAssetForValidation>;

export async function lookupAssets(tx: Tx, assetIds: string[]): Promise<AssetLookup> {
  if (assetIds.length === 0) return new Map();
  return getAssetsForValidation(tx, assetIds);
}

const holderOf = (postId: string) => `content.post:${postId}`;

/**
 * The post holds exactly the library assets it names that exist (a held asset cannot be deleted); ids that
 * are not in the library are left to validation, which reports them.
 */
export async function holdPostMedia(tx: Tx, postId: string, assetIds: string[]): Promise<void> {
  const assets = await lookupAssets(tx, assetIds);
  await holdAssets(tx, { holder: holderOf(postId), assetIds: [...assets.values()].filter((asset) => asset.status !== 'deleted').map((asset) => asset.assetId) });
}

export async function releasePostMedia(tx: Tx, postId: string): Promise<void> {
  await releaseAssets(tx, holderOf(postId));
}
