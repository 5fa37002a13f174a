import { z } from 'zod';

/**
 * Media library: assets (images and videos), their renditions, the tenant's usage against its plan's
 * quota, and the signed URLs the console shows. docs/design/content-studio.md §5.
 */

export const mediaAssetKindSchema = z.enum(['image', 'video']);
export type MediaAssetKind = z.infer<typeof mediaAssetKindSchema>;

export const mediaAssetStatusSchema = z.enum(['processing', 'ready', 'failed', 'deleted']);
export type MediaAssetStatus = z.infer<typeof mediaAssetStatusSchema>;

export const mediaRenditionNameSchema = z.enum(['original', 'thumb', 'medium', 'facebook', 'instagram', 'x', 'linkedin', 'pinterest']);
export type MediaRenditionName = z.infer<typeof mediaRenditionNameSchema>;

/** The types Omni accepts, decided from the file's bytes (never its name or the browser's type). */
export const acceptedMediaTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime'] as const;
export type AcceptedMediaType = (typeof acceptedMediaTypes)[number];

/** The 415 message, shown as is by the console. */
export const unsupportedMediaTypeMessage =
  'This file is not an image or video Omni accepts: its contents are not JPEG, PNG, WebP, GIF, MP4 or MOV, whatever its name says.';

/** A reference a publishing target carries instead of a URL; signed just before the network call. */
export const mediaReferencePrefix = 'omni-media://';

export function toMediaReference(assetId: string, rendition: MediaRenditionName): string {
  return `${mediaReferencePrefix}${assetId}/${rendition}`;
}

const referencePattern = /^omni-media:\/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([a-z]+)$/i;

/** The asset and rendition of an omni-media:// reference, or null when the string is not one. */
export function parseMediaReference(value: string): { assetId: string; rendition: MediaRenditionName } | null {
  const match = referencePattern.exec(value);
  if (!match) return null;
  const rendition = mediaRenditionNameSchema.safeParse(match[2]);
  return rendition.success ? { assetId: match[1]!.toLowerCase(), rendition: rendition.data } : null;
}

export const mediaRenditionSchema = z.object({
  name: mediaRenditionNameSchema,
  mimeType: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  byteSize: z.number().int(),
  /** Signed for MEDIA_URL_TTL_SECONDS; do not keep it longer. */
  url: z.string(),
});
export type MediaRendition = z.infer<typeof mediaRenditionSchema>;

export const mediaAssetSchema = z.object({
  id: z.uuid(),
  /** null: the tenant-wide library. */
  accountId: z.uuid().nullable(),
  kind: mediaAssetKindSchema,
  status: mediaAssetStatusSchema,
  mimeType: z.string(),
  originalName: z.string(),
  byteSize: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  altText: z.string(),
  tags: z.array(z.string()),
  failureReason: z.string().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Signed URLs of the library thumbnail and the preview size (null until processed, or for videos' thumb). */
  thumbUrl: z.string().nullable(),
  mediumUrl: z.string().nullable(),
  renditions: z.array(mediaRenditionSchema),
  /** Other parts of Omni use it (e.g. a post): it cannot be deleted. */
  inUse: z.boolean(),
});
export type MediaAsset = z.infer<typeof mediaAssetSchema>;

export const mediaAssetListSchema = z.object({ items: z.array(mediaAssetSchema), nextCursor: z.string().nullable() });
export type MediaAssetList = z.infer<typeof mediaAssetListSchema>;

const tagSchema = z.string().trim().toLowerCase().min(1).max(40, 'Tags must be at most 40 characters.');

export const mediaAssetListQuerySchema = z.object({
  kind: mediaAssetKindSchema.optional(),
  tag: tagSchema.optional(),
  /** Matches the file name or alt text. */
  q: z.string().trim().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(48),
});
export type MediaAssetListQuery = z.infer<typeof mediaAssetListQuerySchema>;

/** Fields left out stay as they are. */
export const updateMediaAssetBodySchema = z.object({
  altText: z.string().trim().max(1000, 'Alt text must be at most 1000 characters.').optional(),
  tags: z.array(tagSchema).max(20, 'At most 20 tags.').optional(),
});
export type UpdateMediaAssetBody = z.infer<typeof updateMediaAssetBodySchema>;

/** The small form fields sent with an upload, before the file. */
export const mediaUploadFieldsSchema = z.object({
  altText: z.string().trim().max(1000, 'Alt text must be at most 1000 characters.').default(''),
  /** Comma-separated. */
  tags: z
    .string()
    .max(1000)
    .default('')
    .transform((value) => [...new Set(value.split(',').map((tag) => tag.trim().toLowerCase()).filter(Boolean))])
    .pipe(z.array(tagSchema).max(20, 'At most 20 tags.')),
  /** account: the active account's library; tenant: shared by every account. Default: the account when one is active. */
  scope: z.enum(['account', 'tenant']).optional(),
});
export type MediaUploadFields = z.infer<typeof mediaUploadFieldsSchema>;

export const mediaUsageSchema = z.object({
  plan: z.string(),
  bytesUsed: z.number().int(),
  quotaBytes: z.number().int(),
  assetCount: z.number().int(),
  maxImageBytes: z.number().int(),
  maxVideoBytes: z.number().int(),
});
export type MediaUsage = z.infer<typeof mediaUsageSchema>;

export const mediaAssetParamsSchema = z.object({ id: z.uuid() });
