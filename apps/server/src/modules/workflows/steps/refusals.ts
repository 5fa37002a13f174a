import { isAppError } from '../../../kernel/errors.js';
import { StepFailure } from '../step-failure.js';

/**
 * A module's refusal (an AppError: not found, invalid, conflict) as the step's failure, with its code and
 * message (and the issues it lists): the data's fault, so not retried, except what the far side says is
 * temporary (429, 503). Anything else is returned as it is (the engine retries unexpected errors).
 */
export function refusalAsStepFailure(error: unknown): unknown {
  if (!isAppError(error)) return error;
  const listed = [...((error.details.issues as Array<{ message?: unknown }> | undefined) ?? []), ...(error.details.errors ?? [])]
    .map((item) => ('path' in item && item.path ? `${String(item.path)}: ${String(item.message)}` : String(item.message)))
    .filter((message) => message && message !== 'undefined');
  const message = listed.length > 0 ? `${error.message} ${listed.join(' ')}` : error.message;
  return new StepFailure(error.code, message.slice(0, 1000), {
    retryable: error.status === 429 || error.status === 503,
    retryAfterSeconds: typeof error.details.retryAfterSeconds === 'number' ? error.details.retryAfterSeconds : null,
  });
}
