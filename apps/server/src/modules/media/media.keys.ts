/**
 * Storage keys, built from ids only: t/<tenant>/a/<asset>/<rendition>.<ext>, the raw upload at
 * …/upload.raw (never served). No user text ever reaches a path or an S3 key.
 */
export function assetPrefix(tenantId: string, assetId: string): string {
  return `t/${tenantId}/a/${assetId}`;
}

export function uploadKey(prefix: string): string {
  return `${prefix}/upload.raw`;
}

const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
};

export function renditionKey(prefix: string, name: string, mimeType: string): string {
  const extension = extensions[mimeType];
  if (!extension) throw new Error(`No extension for ${mimeType}`);
  return `${prefix}/${name}.${extension}`;
}
