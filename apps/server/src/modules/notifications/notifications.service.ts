import type {
  Notification,
  NotificationList,
  NotificationListQuery,
  NotificationPreferenceList,
  ReadAllResult,
  UnreadCount,
  UpdateNotificationPreferencesBody,
} from '@omni/contracts/notifications';
import { requireActor, requireTenant } from '../../kernel/access.js';
import type { Config } from '../../kernel/config.js';
import { isUuid, type Tx } from '../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../kernel/db/tenancy.js';
import { AppError, badRequest, notFound } from '../../kernel/errors.js';
import { queueMail } from '../../kernel/mail/mail.js';
import type { ServiceContext } from '../../kernel/module.js';
import { findNotificationKind, listNotificationKinds } from './notifications.kinds.js';
import {
  countUnread,
  insertNotifications,
  markAllRead,
  markRead,
  selectNotifications,
  selectPreferences,
  selectRecipients,
  upsertPreferences,
  type NotificationRow,
} from './notifications.queries.js';
import { publicBaseUrl } from '../../kernel/http/public-url.js';
import { escapeHtml, plainTextToHtml } from '../../kernel/mail/html.js';
export { publicBaseUrl } from '../../kernel/http/public-url.js';

export type NotifyInput = {
  /** For the links in emails (PUBLIC_URL). */
  config: Pick<Config, 'PUBLIC_URL' | 'PORT'>;
  tenantId: string;
  accountId?: string | null;
  /** Recipients; duplicates are sent once, unknown users are skipped. Leave out the person acting. */
  userIds: string[];
  /** A kind declared with defineNotificationKind. */
  kind: string;
  /** ≤ 200 characters (longer is cut). */
  title: string;
  /** ≤ 2000 characters (longer is cut). */
  body: string;
  /** The console page it opens, e.g. "/approvals/<id>" (must start with "/"). */
  linkPath: string;
  subject?: { type: string; id: string } | null;
  actorUserId?: string | null;
  /** The email's subject and text; default: the title and body. The link and a footer are appended. */
  email?: { subject: string; text: string };
};

const cut = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

function renderMail(input: { name: string; text: string; url: string; preferencesUrl: string }): { text: string; html: string } {
  const greeting = `Hello ${input.name},`;
  const footer = 'You receive this email because of your notification settings in Omni.';
  const text = [greeting, '', input.text, '', `Open it in Omni: ${input.url}`, '', '— Omni', '', `${footer} Change them: ${input.preferencesUrl}`].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111">',
    `<p>${escapeHtml(greeting)}</p>`,
    plainTextToHtml(input.text),
    `<p><a href="${escapeHtml(input.url)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">Open in Omni</a></p>`,
    '<p>— Omni</p>',
    `<p style="font-size:12px;color:#555">${escapeHtml(footer)} <a href="${escapeHtml(input.preferencesUrl)}">Change them</a>.</p>`,
    '</body></html>',
  ].join('');
  return { text, html };
}

/**
 * Tell people something, in the caller's transaction (a notification exists iff the change that caused
 * it commits): one in-app notification per recipient and, unless the person turned email off for this
 * kind (no preference row: the kind's default), one email through the kernel mail outbox.
 */
export async function notifyUsers(tx: Tx, input: NotifyInput): Promise<{ notified: number; emailed: number }> {
  const kind = findNotificationKind(input.kind);
  if (!kind) throw new Error(`Notification kind ${input.kind} is not defined (defineNotificationKind)`);
  if (!input.linkPath.startsWith('/') || input.linkPath.startsWith('//')) throw new Error(`Notification link ${input.linkPath} must be a console path`);
  const userIds = [...new Set(input.userIds)];
  const recipients = await selectRecipients(tx, { tenantId: input.tenantId, userIds, kind: input.kind });
  const base = publicBaseUrl(input.config);
  const title = cut(input.title, 200);
  const body = cut(input.body, 2000);
  const rows = [];
  let emailed = 0;
  for (const recipient of recipients) {
    let mailMessageId: string | null = null;
    if (recipient.emailEnabled ?? kind.emailByDefault) {
      const mail = renderMail({
        name: recipient.name,
        text: input.email?.text ?? (body ? `${title}\n\n${body}` : title),
        url: `${base}${input.linkPath}`,
        preferencesUrl: `${base}/notifications`,
      });
      mailMessageId = await queueMail(tx, {
        tenantId: input.tenantId,
        to: recipient.email,
        subject: cut(input.email?.subject ?? title, 200),
        text: mail.text,
        html: mail.html,
        template: input.kind,
      });
      emailed += 1;
    }
    rows.push({
      tenantId: input.tenantId,
      userId: recipient.userId,
      accountId: input.accountId ?? null,
      kind: input.kind,
      title,
      body,
      linkPath: input.linkPath,
      subjectType: input.subject?.type ?? null,
      subjectId: input.subject?.id ?? null,
      actorUserId: input.actorUserId ?? null,
      mailMessageId,
    });
  }
  await insertNotifications(tx, rows);
  return { notified: rows.length, emailed };
}

// ------------------------------------------------------------------------------------------ the API

function toNotificationDto(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    linkPath: row.linkPath,
    accountId: row.accountId,
    subject: row.subjectType && row.subjectId ? { type: row.subjectType, id: row.subjectId } : null,
    actor: row.actorUserId ? { userId: row.actorUserId, name: row.actorName ?? '' } : null,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
  };
}

/** The cursor is the last row's id: the next page starts after that row (keyset on created_at, id). */
function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  if (isUuid(cursor)) return cursor;
  throw badRequest('request.invalid_cursor', 'The cursor is not valid; start again from the first page.', [
    { path: 'querystring.cursor', message: 'is not a cursor returned by this list' },
  ]);
}

/** The signed-in person in the active tenant: notifications belong to both. */
function requirePerson(ctx: ServiceContext): { tenantId: string; userId: string } {
  const tenantId = requireTenant(ctx);
  return { tenantId, userId: requireActor(ctx).userId };
}

export async function listNotifications(ctx: ServiceContext, query: NotificationListQuery): Promise<NotificationList> {
  const { userId } = requirePerson(ctx);
  const rows = await withTenantRead(ctx, (tx) =>
    selectNotifications(tx, { userId, unreadOnly: query.unread ?? false, limit: query.limit, afterId: decodeCursor(query.cursor) }),
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page.map(toNotificationDto), nextCursor: rows.length > query.limit && last ? last.id : null };
}

export async function getUnreadCount(ctx: ServiceContext): Promise<UnreadCount> {
  const { userId } = requirePerson(ctx);
  return { count: await withTenantRead(ctx, (tx) => countUnread(tx, userId)) };
}

export async function readNotification(ctx: ServiceContext, id: string): Promise<Notification> {
  const { userId } = requirePerson(ctx);
  const row = await withTenant(ctx, (tx) => markRead(tx, { userId, id }));
  // Another person's notification is as absent as one that does not exist.
  if (!row) throw notFound('Notification');
  return toNotificationDto(row);
}

export async function readAllNotifications(ctx: ServiceContext): Promise<ReadAllResult> {
  const { userId } = requirePerson(ctx);
  const updated = await withTenant(ctx, (tx) => markAllRead(tx, userId));
  ctx.audit.metadata = { updated };
  return { updated };
}

async function preferencesOf(tx: Tx, userId: string): Promise<NotificationPreferenceList> {
  const stored = await selectPreferences(tx, userId);
  return {
    items: listNotificationKinds().map((kind) => ({
      kind: kind.kind,
      description: kind.description,
      emailByDefault: kind.emailByDefault,
      emailEnabled: stored.get(kind.kind) ?? kind.emailByDefault,
    })),
  };
}

export async function getPreferences(ctx: ServiceContext): Promise<NotificationPreferenceList> {
  const { userId } = requirePerson(ctx);
  return withTenantRead(ctx, (tx) => preferencesOf(tx, userId));
}

export async function updatePreferences(ctx: ServiceContext, body: UpdateNotificationPreferencesBody): Promise<NotificationPreferenceList> {
  const { tenantId, userId } = requirePerson(ctx);
  const unknown = body.items.flatMap((item, index) => (findNotificationKind(item.kind) ? [] : [{ path: `body.items.${index}.kind`, message: `there is no notification kind ${item.kind}` }]));
  if (unknown.length > 0) throw new AppError('unprocessable', 'notifications.unknown_kind', 'Some of these notification kinds do not exist.', { errors: unknown });
  const kinds = body.items.map((item) => item.kind);
  if (new Set(kinds).size !== kinds.length) throw badRequest('request.invalid', 'Each kind may appear once.', [{ path: 'body.items', message: 'lists a kind twice' }]);
  const preferences = await withTenant(ctx, async (tx) => {
    await upsertPreferences(tx, { tenantId, userId, items: body.items });
    return preferencesOf(tx, userId);
  });
  ctx.audit.metadata = { changed: body.items };
  return preferences;
}
