import { resolveVariant, type ValidationIssue } from '@omni/contracts/content';
import { networkRules, validateVariant, type VariantRulesMedia } from '@omni/contracts/network-rules';
import type { SocialNetworkId as NetworkId } from '@omni/contracts/social';
import type { Tx } from '../../../kernel/db/database.js';
import { AppError } from '../../../kernel/errors.js';
import type { PostState } from './post-state.js';
import { lookupAssets, type AssetLookup } from './media-lookup.js';
import { listSchedulableConnections } from '../../social/index.js';
import { renditionForNetwork } from '@omni/contracts/network-rules';

/**
 * Validation of a post as it would be sent: every variant, resolved against the base, checked against its
 * network's rules (packages/contracts/src/network-rules.ts, the same table the console uses live). Drafts
 * are saved with their issues; submit and schedule refuse any error with 422 content.validation_failed.
 */


export function networkName(network: string): string {
  return (networkRules as Partial<Record<string, { displayName: string }>>)[network]?.displayName ?? network;
}

export function mediaIdsOf(state: PostState): string[] {
  const ids = new Set<string>();
  for (const item of state.post.baseMedia) ids.add(item.assetId);
  for (const variant of state.variants) {
    for (const item of variant.media ?? []) ids.add(item.assetId);
    const cover = variant.options.coverAssetId;
    if (typeof cover === 'string') ids.add(cover);
  }
  return [...ids];
}

/** Pure: the issues of every variant, given the assets' metadata and the destinations' kinds. */
export function validatePostState(state: PostState, assets: AssetLookup, destinationKinds: Map<string, string> = new Map()): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (state.destinations.length === 0) {
    issues.push({ variantId: null, network: null, connectionId: null, path: 'destinations', code: 'content.no_destination', severity: 'error', message: 'Choose at least one social connection to post to.' });
  }
  for (const variant of state.variants) {
    const network = variant.network as NetworkId;
    const resolved = resolveVariant(state.post, variant);
    const label = variant.abLabel ? ` (variant ${variant.abLabel})` : '';
    const at = { variantId: variant.id, network, connectionId: null };
    const media: VariantRulesMedia[] = [];
    resolved.media.forEach((item, index) => {
      const asset = assets.get(item.assetId);
      if (!asset || asset.status !== 'ready') {
        const why = !asset || asset.status === 'deleted' ? 'is not in the library (deleted?)' : asset.status === 'failed' ? 'could not be processed' : 'is still being processed';
        issues.push({ ...at, path: `media.${index}`, code: 'content.media_missing', severity: 'error', message: `${networkName(network)}${label}: media ${index + 1} ${why}.` });
        return;
      }
      // The network rendition is what goes out: its type and size; aspect and duration are the original's.
      const rendition = asset.kind === 'image' ? asset.renditions[renditionForNetwork(network)] : undefined;
      media.push({
        assetId: item.assetId,
        kind: asset.kind,
        mimeType: rendition?.mimeType ?? asset.mimeType,
        width: asset.width,
        height: asset.height,
        durationMs: asset.durationMs,
        byteSize: rendition?.byteSize ?? asset.byteSize,
        altText: item.altText,
      });
    });
    const kinds = state.destinations
      .filter((destination) => destination.network === network)
      .map((destination) => destinationKinds.get(destination.connectionId))
      .filter((kind): kind is string => kind !== undefined);
    const found = validateVariant({
      network,
      text: resolved.text,
      media,
      link: resolved.link,
      options: resolved.options,
      destinationKinds: kinds.length > 0 ? kinds : undefined,
    });
    for (const issue of found) {
      issues.push({ ...at, path: issue.path, code: issue.code, severity: issue.severity, message: label ? issue.message.replace(`${networkName(network)}:`, `${networkName(network)}${label}:`) : issue.message });
    }
  }
  return issues;
}

/** The post's issues, reading what validation needs (asset metadata) in the caller's transaction. */
export async function checkPost(tx: Tx, state: PostState): Promise<ValidationIssue[]> {
  const connections = state.destinations.length > 0 ? await listSchedulableConnections(tx, state.post.accountId) : [];
  const kinds = new Map(connections.map((connection) => [connection.id, connection.destinationKind as string]));
  return validatePostState(state, await lookupAssets(tx, mediaIdsOf(state)), kinds);
}

/** 422 content.validation_failed when any issue is an error (submit, schedule). */
export function assertValid(issues: ValidationIssue[], action: 'submitted' | 'scheduled'): void {
  const errors = issues.filter((issue) => issue.severity === 'error');
  if (errors.length === 0) return;
  throw new AppError('unprocessable', 'content.validation_failed', `This post cannot be ${action} yet: ${errors.length === 1 ? 'one problem' : `${errors.length} problems`} to fix first.`, {
    issues: errors,
    errors: errors.map((issue) => ({ path: issue.network ? `variants.${issue.network}.${issue.path}` : issue.path, message: issue.message })),
  });
}
