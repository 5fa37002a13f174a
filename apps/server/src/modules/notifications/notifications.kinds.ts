/**
 * The notification kinds: each module declares the kinds it sends, once, at import time, with whether
 * email is on by default (a person's preference row overrides it). notifyUsers refuses an undeclared kind.
 */
export type NotificationKind = { kind: string; emailByDefault: boolean; description: string };

const kinds = new Map<string, NotificationKind>();

const kindPattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function defineNotificationKind(kind: string, options: { emailByDefault: boolean; description: string }): NotificationKind {
  if (!kindPattern.test(kind) || kind.length > 100) throw new Error(`Notification kind "${kind}" must look like module.event_name`);
  const existing = kinds.get(kind);
  if (existing) {
    if (existing.emailByDefault !== options.emailByDefault) throw new Error(`Notification kind ${kind} is defined twice, differently`);
    return existing;
  }
  const definition = { kind, emailByDefault: options.emailByDefault, description: options.description };
  kinds.set(kind, definition);
  return definition;
}

export function findNotificationKind(kind: string): NotificationKind | undefined {
  return kinds.get(kind);
}

export function listNotificationKinds(): NotificationKind[] {
  return [...kinds.values()].sort((left, right) => left.kind.localeCompare(right.kind));
}
