import type { Scope } from '@omni/contracts/identity';
import type { MediaAsset, MediaAssetKind, MediaAssetList, MediaUsage, UpdateMediaAssetBody } from '@omni/contracts/media';
import { api } from '../../shared/api';
import { NetworkError, ProblemError } from '../../shared/api/problem';

export type MediaFilters = { kind?: MediaAssetKind; tag?: string; q?: string };

/** Typed calls to /api/media (packages/contracts/src/media.ts). */
export const mediaApi = {
  assets: (filters: MediaFilters, cursor?: string, limit = 48) => {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
    if (cursor) query.set('cursor', cursor);
    return api.get<MediaAssetList>(`/api/media/assets?${query.toString()}`);
  },
  asset: (id: string) => api.get<MediaAsset>(`/api/media/assets/${encodeURIComponent(id)}`),
  update: (id: string, body: UpdateMediaAssetBody) => api.patch<MediaAsset>(`/api/media/assets/${encodeURIComponent(id)}`, body),
  remove: (id: string) => api.delete(`/api/media/assets/${encodeURIComponent(id)}`),
  usage: () => api.get<MediaUsage>('/api/media/usage'),
};

/** What an upload needs of the browser's XMLHttpRequest (injectable for tests). */
export type UploadTransport = Pick<XMLHttpRequest, 'open' | 'setRequestHeader' | 'send' | 'abort' | 'status' | 'responseText' | 'getResponseHeader'> & {
  upload: Pick<XMLHttpRequestUpload, 'addEventListener'>;
  addEventListener: XMLHttpRequest['addEventListener'];
};

export type UploadOptions = {
  altText?: string;
  tags?: string[];
  scope?: 'account' | 'tenant';
  /** 0…1 of the bytes sent. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  createTransport?: () => UploadTransport;
  /** The access token, refreshed once when the server answers 401. */
  getToken?: (stale: string | null) => Promise<string>;
};

function sendOnce(file: Blob & { name?: string }, token: string, options: UploadOptions): Promise<{ status: number; body: string; contentType: string | null }> {
  return new Promise((resolve, reject) => {
    const transport = options.createTransport ? options.createTransport() : (new XMLHttpRequest() as UploadTransport);
    const form = new FormData();
    // Fields before the file: the server streams the file as it arrives and reads only what came first.
    if (options.altText) form.append('altText', options.altText);
    if (options.tags && options.tags.length > 0) form.append('tags', options.tags.join(','));
    if (options.scope) form.append('scope', options.scope);
    form.append('file', file, file.name ?? 'upload');
    transport.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    });
    transport.addEventListener('load', () => resolve({ status: transport.status, body: transport.responseText, contentType: transport.getResponseHeader('content-type') }));
    transport.addEventListener('error', () => reject(new NetworkError()));
    transport.addEventListener('abort', () => reject(new DOMException('The upload was cancelled.', 'AbortError')));
    options.signal?.addEventListener('abort', () => transport.abort(), { once: true });
    transport.open('POST', '/api/media/assets');
    transport.setRequestHeader('accept', 'application/json');
    transport.setRequestHeader('authorization', `Bearer ${token}`);
    transport.send(form);
  });
}

function toProblem(status: number, body: string): ProblemError {
  let parsed: { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown } = {};
  try {
    parsed = body ? (JSON.parse(body) as typeof parsed) : {};
  } catch {
    parsed = {};
  }
  return new ProblemError({
    status,
    code: typeof parsed.code === 'string' ? parsed.code : `http.${status}`,
    detail: typeof parsed.detail === 'string' ? parsed.detail : undefined,
    title: typeof parsed.title === 'string' ? parsed.title : undefined,
    errors: Array.isArray(parsed.errors) ? (parsed.errors as Array<{ path: string; message: string }>) : [],
  });
}

/**
 * Upload one file with progress (fetch has no upload progress, so XMLHttpRequest). Resolves with the new
 * asset (status processing); rejects with the server's ProblemError (415 not an image or video, 413 too
 * large or over quota, …), a NetworkError, or an AbortError when cancelled.
 */
export async function uploadMediaFile(file: Blob & { name?: string }, options: UploadOptions = {}): Promise<MediaAsset> {
  const getToken = options.getToken ?? ((stale: string | null) => (stale === null && api.getAccessToken() ? Promise.resolve(api.getAccessToken()!) : api.refreshAccessToken(stale)));
  let token = await getToken(null);
  let response = await sendOnce(file, token, options);
  if (response.status === 401) {
    token = await getToken(token);
    response = await sendOnce(file, token, options);
  }
  if (response.status < 200 || response.status >= 300) throw toProblem(response.status, response.body);
  return JSON.parse(response.body) as MediaAsset;
}

const accountRank = ['client', 'viewer', 'contributor', 'editor', 'admin'] as const;

/** Mirrors media.permissions.ts: viewers read, contributors upload (and change their own), editors manage all. */
export function mediaAccessOf(scope: Scope | null): { canRead: boolean; canUpload: boolean; canManage: boolean } {
  const hasTenant = Boolean(scope?.tenantId);
  const tenantAdmin = scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin';
  const role = tenantAdmin ? 'admin' : scope?.accountId ? scope.accountRole : null;
  const rank = role ? accountRank.indexOf(role) : -1;
  return {
    canRead: hasTenant && rank >= accountRank.indexOf('viewer'),
    canUpload: hasTenant && rank >= accountRank.indexOf('contributor'),
    canManage: hasTenant && rank >= accountRank.indexOf('editor'),
  };
}

/** "1.5 MB", "320 KB", "12 bytes" (binary units, as the plan limits are). */
export function formatBytes(bytes: number, locale?: string): string {
  const format = (value: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  if (bytes >= 1024 ** 3) return `${format(bytes / 1024 ** 3, 1)} GB`;
  if (bytes >= 1024 ** 2) return `${format(bytes / 1024 ** 2, 1)} MB`;
  if (bytes >= 1024) return `${format(bytes / 1024, 0)} KB`;
  return `${format(bytes, 0)} bytes`;
}

/** Whether any asset is still being processed (the library polls until none is). */
export function hasProcessing(assets: Pick<MediaAsset, 'status'>[]): boolean {
  return assets.some((asset) => asset.status === 'processing');
}
