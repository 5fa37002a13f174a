/**
 * Application errors. Throw AppError for anything the client caused; the HTTP error handler renders it
 * as RFC 9457 problem+json. Codes are stable, machine-readable identifiers ("auth.invalid_credentials").
 */
export type FieldError = { path: string; message: string };

const statusByKind = {
  bad_request: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  locked: 423,
  too_many_requests: 429,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof statusByKind;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: { errors?: FieldError[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = statusByKind[kind];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what.toLowerCase().replace(/\s+/g, '_')}.not_found`, `${what} not found.`);
export const forbidden = (message = 'You do not have permission to do this.') => new AppError('forbidden', 'auth.forbidden', message);
export const unauthorized = (message = 'Sign in to continue.', code = 'auth.unauthenticated') => new AppError('unauthorized', code, message);
export const conflict = (code: string, message: string) => new AppError('conflict', code, message);
export const badRequest = (code: string, message: string, errors?: FieldError[]) =>
  new AppError('bad_request', code, message, errors ? { errors } : {});

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
