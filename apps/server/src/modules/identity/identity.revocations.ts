import type { Database } from '../../kernel/db/database.js';
import { withSystemAccessRead } from '../../kernel/db/tenancy.js';
import type { Kernel } from '../../kernel/kernel.js';
import { selectRecentSessionChanges, selectSessionChange } from './identity.queries.js';

/**
 * Verifying an access token must not cost a database round trip, yet a revoked session's tokens must
 * stop working at once. Each API process keeps the sessions revoked or marked stale within the last
 * access-token lifetime (older ones cannot have unexpired tokens), reloads that list every 2 seconds,
 * and records revocations made in this process immediately.
 */
export type SessionMark = { revokedAtMs: number | null; staleAtMs: number | null };

export type RevocationList = {
  find(sessionId: string): SessionMark | undefined;
  /** Reload from the database now (also what the timer does). */
  reload(): Promise<void>;
  stop(): Promise<void>;
};

const pollIntervalMs = 2000;
/** Extra window on top of the token lifetime, for clock differences between processes and the database. */
const windowMarginSeconds = 60;

const activeLists = new Set<LocalRevocationList>();
const listsByDatabase = new WeakMap<Database, LocalRevocationList>();

type LocalNote = SessionMark & { notedAtMs: number };

class LocalRevocationList implements RevocationList {
  private polled = new Map<string, SessionMark>();
  /** Changes made by this process, kept until a reload that started after them has replaced them. */
  private local = new Map<string, LocalNote>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly kernel: Kernel) {}

  find(sessionId: string): SessionMark | undefined {
    const polled = this.polled.get(sessionId);
    const local = this.local.get(sessionId);
    if (!local) return polled;
    return {
      revokedAtMs: local.revokedAtMs ?? polled?.revokedAtMs ?? null,
      staleAtMs: Math.max(local.staleAtMs ?? 0, polled?.staleAtMs ?? 0) || null,
    };
  }

  note(sessionId: string, mark: Partial<SessionMark>): void {
    const previous = this.local.get(sessionId);
    this.local.set(sessionId, {
      revokedAtMs: mark.revokedAtMs ?? previous?.revokedAtMs ?? null,
      staleAtMs: mark.staleAtMs ?? previous?.staleAtMs ?? null,
      notedAtMs: Date.now(),
    });
  }

  reload(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    const startedAtMs = Date.now();
    const windowSeconds = this.kernel.config.ACCESS_TOKEN_TTL_SECONDS + windowMarginSeconds;
    const changes = await withSystemAccessRead(this.kernel, 'identity:revocation-poll', (tx) => selectRecentSessionChanges(tx, windowSeconds));
    const polled = new Map<string, SessionMark>();
    for (const change of changes) {
      polled.set(change.id, { revokedAtMs: change.revokedAt?.getTime() ?? null, staleAtMs: change.staleAt?.getTime() ?? null });
    }
    this.polled = polled;
    for (const [sessionId, note] of this.local) if (note.notedAtMs < startedAtMs) this.local.delete(sessionId);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.reload().catch((error: unknown) => this.kernel.logger.warn({ err: error }, 'session revocation poll failed; keeping the previous list'));
    }, pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    activeLists.delete(this);
    if (listsByDatabase.get(this.kernel.db) === this) listsByDatabase.delete(this.kernel.db);
    await this.inFlight?.catch(() => undefined);
  }
}

/** Load the list and start polling. The caller stops it when the app closes. */
export async function startRevocationList(kernel: Kernel): Promise<RevocationList> {
  const list = new LocalRevocationList(kernel);
  await list.reload();
  list.start();
  activeLists.add(list);
  listsByDatabase.set(kernel.db, list);
  return list;
}

/**
 * The mark of one session as this process knows it. Without a running list (a process that serves no
 * routes) it asks the database, which is correct, only slower.
 */
export async function findSessionMark(kernel: Kernel, sessionId: string): Promise<SessionMark | undefined> {
  const list = listsByDatabase.get(kernel.db);
  if (list) return list.find(sessionId);
  const change = await withSystemAccessRead(kernel, 'identity:session-check', (tx) => selectSessionChange(tx, sessionId));
  if (!change) return { revokedAtMs: 0, staleAtMs: null };
  return { revokedAtMs: change.revokedAt?.getTime() ?? null, staleAtMs: change.staleAt?.getTime() ?? null };
}

/** Record, in every list of this process, that sessions were revoked (other processes see it on their next poll). */
export function noteSessionsRevoked(sessions: { id: string; revokedAt: Date }[]): void {
  for (const list of activeLists) for (const session of sessions) list.note(session.id, { revokedAtMs: session.revokedAt.getTime() });
}

export function noteSessionsStale(sessions: { id: string; staleAt: Date }[]): void {
  for (const list of activeLists) for (const session of sessions) list.note(session.id, { staleAtMs: session.staleAt.getTime() });
}
