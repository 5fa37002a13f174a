/**
 * How a step says it failed. Retryable failures (network, 5xx, 429, a provider unavailable) are tried again
 * with exponential backoff up to the node's retry.maxAttempts; anything else fails the step at once. Errors
 * that are not StepFailures (a bug, a lost database connection) count as retryable: they are rarely the
 * data's fault.
 */
export class StepFailure extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** A far end's Retry-After: the next attempt waits at least this long. */
  readonly retryAfterSeconds: number | null;

  constructor(code: string, message: string, options: { retryable?: boolean; retryAfterSeconds?: number | null } = {}) {
    super(message);
    this.name = 'StepFailure';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

export type StepError = { code: string; message: string; retryable: boolean };

/** The error a step records for whatever its execution threw. */
export function toStepError(error: unknown): StepError & { retryAfterSeconds: number | null } {
  if (error instanceof StepFailure) return { code: error.code, message: error.message, retryable: error.retryable, retryAfterSeconds: error.retryAfterSeconds };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'workflows.step_error', message: `The step failed unexpectedly: ${message}`.slice(0, 1000), retryable: true, retryAfterSeconds: null };
}
