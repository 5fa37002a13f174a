import type { Config } from '../../kernel/config.js';
import { AppError } from '../../kernel/errors.js';

/**
 * Sign-in throttling per account, whatever the IP. The first half of LOCKOUT_THRESHOLD consecutive
 * failures cost nothing; each further failure imposes a short, doubling wait; reaching the threshold
 * locks the account for LOCKOUT_MINUTES. Emails without an account go through the same steps (tracked in
 * a bounded in-memory map), so the responses never reveal whether an account exists.
 */
export type FailureState = { failedCount: number; lastFailedAtMs: number | null; lockedUntilMs: number | null };

const maximumBackoffSeconds = 60;

/** Seconds to wait after the failedCount-th consecutive failure (0 while in the free half). */
export function backoffSecondsAfter(failedCount: number, threshold: number): number {
  const freeFailures = Math.max(1, Math.floor(threshold / 2));
  if (failedCount <= freeFailures) return 0;
  return Math.min(2 ** (failedCount - freeFailures - 1), maximumBackoffSeconds);
}

export type GateDecision = { kind: 'open' } | { kind: 'locked'; retryAfterSeconds: number } | { kind: 'backoff'; retryAfterSeconds: number };

/** May a sign-in attempt be checked now? */
export function evaluateLoginGate(state: FailureState, config: Pick<Config, 'LOCKOUT_THRESHOLD'>, nowMs: number): GateDecision {
  if (state.lockedUntilMs !== null && state.lockedUntilMs > nowMs) {
    return { kind: 'locked', retryAfterSeconds: Math.max(1, Math.ceil((state.lockedUntilMs - nowMs) / 1000)) };
  }
  const backoff = backoffSecondsAfter(state.failedCount, config.LOCKOUT_THRESHOLD);
  if (backoff > 0 && state.lastFailedAtMs !== null) {
    const waitUntilMs = state.lastFailedAtMs + backoff * 1000;
    if (waitUntilMs > nowMs) return { kind: 'backoff', retryAfterSeconds: Math.max(1, Math.ceil((waitUntilMs - nowMs) / 1000)) };
  }
  return { kind: 'open' };
}

export function accountLockedError(retryAfterSeconds: number): AppError {
  return new AppError('locked', 'auth.account_locked', 'Too many failed sign-in attempts: this account is locked for a while. Try again later or reset your password.', {
    retryAfterSeconds,
  });
}

export function tooManyAttemptsError(retryAfterSeconds: number): AppError {
  return new AppError('too_many_requests', 'auth.too_many_attempts', `Too many failed sign-in attempts. Wait ${retryAfterSeconds} s before trying again.`, {
    retryAfterSeconds,
  });
}

export function invalidCredentialsError(retryAfterSeconds = 0): AppError {
  return new AppError('unauthorized', 'auth.invalid_credentials', 'The email or password is incorrect.', retryAfterSeconds > 0 ? { retryAfterSeconds } : {});
}

/** Throw the refusal matching a closed gate. */
export function assertGateOpen(decision: GateDecision): void {
  if (decision.kind === 'locked') throw accountLockedError(decision.retryAfterSeconds);
  if (decision.kind === 'backoff') throw tooManyAttemptsError(decision.retryAfterSeconds);
}

/** The same rules as the users table applies, for emails that have no account. */
export class UnknownEmailFailures {
  private readonly states = new Map<string, FailureState>();

  constructor(private readonly capacity = 10_000) {}

  get(email: string, nowMs: number, config: Pick<Config, 'LOCKOUT_MINUTES'>): FailureState {
    const state = this.states.get(email);
    if (!state) return { failedCount: 0, lastFailedAtMs: null, lockedUntilMs: null };
    // Forget entries nobody touched for a day beyond the lock: like a real account would after a success.
    const idleLimitMs = (config.LOCKOUT_MINUTES * 60 + 24 * 3600) * 1000;
    if (state.lastFailedAtMs !== null && nowMs - state.lastFailedAtMs > idleLimitMs) {
      this.states.delete(email);
      return { failedCount: 0, lastFailedAtMs: null, lockedUntilMs: null };
    }
    return state;
  }

  /** Count a failure; returns the new state (locked when the threshold is reached). */
  recordFailure(email: string, nowMs: number, config: Pick<Config, 'LOCKOUT_THRESHOLD' | 'LOCKOUT_MINUTES'>): FailureState {
    const previous = this.get(email, nowMs, config);
    const failedCount = previous.failedCount + 1;
    const state: FailureState = {
      failedCount,
      lastFailedAtMs: nowMs,
      lockedUntilMs: failedCount >= config.LOCKOUT_THRESHOLD ? nowMs + config.LOCKOUT_MINUTES * 60_000 : previous.lockedUntilMs,
    };
    // Re-insert so the Map's order is least-recently-failed first; evict from the front when full.
    this.states.delete(email);
    this.states.set(email, state);
    while (this.states.size > this.capacity) {
      const oldest = this.states.keys().next().value;
      if (oldest === undefined) break;
      this.states.delete(oldest);
    }
    return state;
  }
}
