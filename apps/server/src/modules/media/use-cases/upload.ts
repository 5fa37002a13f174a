import { mediaUploadFieldsSchema, type MediaAsset } from '@omni/contracts/media';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import { withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, badRequest } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { mediaPermissions } from '../media.permissions.js';
import { selectRenditions } from '../media.queries.js';
import { ingestMedia, quotaExceeded } from './ingest.js';
import { readUploadAllowance, toAssetDtos } from './library.js';

/** The small fields sent before the file (fields after it are not read: the file is streamed as it arrives). */
function readFields(file: MultipartFile) {
  const raw: Record<string, string> = {};
  for (const [name, entry] of Object.entries(file.fields)) {
    const field = Array.isArray(entry) ? entry[0] : entry;
    if (field && field.type === 'field' && typeof field.value === 'string') raw[name] = field.value;
  }
  const parsed = mediaUploadFieldsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('unprocessable', 'request.validation_failed', 'The upload’s fields are not valid.', {
      errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return parsed.data;
}

/**
 * POST /api/media/assets: one file, streamed (multipart). Refused before reading when the declared length
 * cannot fit in the remaining quota; then ingestMedia decides the type from the bytes and enforces the
 * plan's limits while streaming. Answers the asset (status processing).
 */
export async function uploadAsset(ctx: ServiceContext, request: FastifyRequest): Promise<MediaAsset> {
  assertCan(ctx, mediaPermissions.upload);
  const tenantId = requireTenant(ctx);
  const actor = requireActor(ctx);
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'media.multipart_required', 'Send the file as multipart/form-data (a "file" part).');
  const { limits, usage } = await readUploadAllowance({ db: ctx.db, config: ctx.config, tenantId });
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.quotaBytes - usage.bytesUsed) throw quotaExceeded(limits);

  const file = await request.file({ limits: { files: 1, fields: 5, fieldSize: 4000, parts: 6, fileSize: Math.max(limits.maxImageBytes, limits.maxVideoBytes) + 1 } });
  if (!file) throw badRequest('media.file_missing', 'Choose a file to upload (a multipart part named "file").');
  let fields;
  try {
    fields = readFields(file);
  } catch (error) {
    file.file.resume();
    throw error;
  }
  const accountId = fields.scope === 'tenant' ? null : ctx.accountId;
  if (fields.scope === 'account' && !accountId) {
    file.file.resume();
    throw new AppError('forbidden', 'account.none_active', 'Choose an account first, or upload to the tenant-wide library (scope=tenant).');
  }
  const asset = await ingestMedia(ctx, {
    tenantId,
    accountId,
    createdBy: actor.userId,
    originalName: file.filename,
    altText: fields.altText,
    tags: fields.tags,
    body: file.file,
    limits,
    bytesUsed: usage.bytesUsed,
  });
  ctx.audit.targetType = 'media_asset';
  ctx.audit.targetId = asset.id;
  ctx.audit.metadata = { kind: asset.kind, mimeType: asset.mimeType, byteSize: asset.byteSize };
  return withTenantRead(ctx, async (tx) => (await toAssetDtos(ctx.config, [asset], await selectRenditions(tx, [asset.id]), new Map()))[0]!);
}
