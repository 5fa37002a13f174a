import type { Kernel } from '../../kernel/kernel.js';
import type { MembershipDirectory, ResolvedScope } from './identity.types.js';

/**
 * API keys act with their creator's current roles. Looking the membership up on every request would
 * double the database work of API-key traffic, so answers are kept ~30 s (this process forgets a user's
 * entries at once when their memberships change here; other processes within the 30 s).
 */
const ttlMs = 30_000;
const capacity = 10_000;

type Entry = { userId: string; scope: ResolvedScope | null; expiresAtMs: number };

const entries = new Map<string, Entry>();

export async function resolveScopeCached(
  kernel: Kernel,
  directory: MembershipDirectory,
  userId: string,
  requested: { tenantId: string; accountId: string | null },
): Promise<ResolvedScope | null> {
  const key = `${userId}|${requested.tenantId}|${requested.accountId ?? ''}`;
  const nowMs = Date.now();
  const cached = entries.get(key);
  if (cached && cached.expiresAtMs > nowMs) return cached.scope;
  const scope = await directory.resolveScope(kernel, userId, requested);
  entries.delete(key);
  entries.set(key, { userId, scope, expiresAtMs: nowMs + ttlMs });
  while (entries.size > capacity) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
  return scope;
}

export function forgetCachedScopesOfUser(userId: string): void {
  for (const [key, entry] of entries) if (entry.userId === userId) entries.delete(key);
}
