/**
 * RFC 9457 problem+json, as the server renders every error: a stable `code`, a human `detail`, and for
 * invalid input `errors[]` with the offending field's path ("body.email").
 */
export type FieldProblem = { path: string; message: string };

export type ProblemBody = {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: FieldProblem[];
  retryAfterSeconds?: number;
  requestId?: string;
};

export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldProblem[];
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(body: ProblemBody) {
    super(body.detail ?? body.title ?? `Request failed (${body.status}).`);
    this.name = 'ProblemError';
    this.status = body.status;
    this.code = body.code;
    this.fieldErrors = body.errors ?? [];
    this.requestId = body.requestId;
    this.retryAfterSeconds = body.retryAfterSeconds;
  }
}

/** The server could not be reached (offline, DNS, connection refused): nothing was answered. */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('network');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

const locationPrefixes = ['body.', 'query.', 'params.', 'headers.'];

/** "body.colors.primary" → "colors.primary": the name a form field carries. */
export function fieldNameOf(path: string): string {
  for (const prefix of locationPrefixes) if (path.startsWith(prefix)) return path.slice(prefix.length);
  if (['body', 'query', 'params', 'headers'].includes(path)) return '';
  return path;
}

/**
 * Split a problem's field errors into those a form shows next to one of its fields and the rest.
 * The first message per field wins (it is the one to fix first).
 */
export function splitFieldErrors(
  problem: ProblemError,
  knownFields: readonly string[],
  fieldOf: (name: string) => string = (name) => knownFields.find((known) => name === known || name.startsWith(`${known}.`)) ?? name,
): {
  fields: Record<string, string>;
  other: string[];
} {
  const fields: Record<string, string> = {};
  const other: string[] = [];
  for (const error of problem.fieldErrors) {
    const name = fieldNameOf(error.path);
    const field = fieldOf(name);
    if (knownFields.includes(field)) {
      fields[field] ??= error.message;
    } else {
      other.push(error.message);
    }
  }
  return { fields, other };
}

/** Parse a non-OK response into a ProblemError, also when the body is not problem+json (a proxy's HTML page). */
export async function problemFromResponse(response: Response): Promise<ProblemError> {
  let body: Partial<ProblemBody> | undefined;
  try {
    const text = await response.text();
    body = text ? (JSON.parse(text) as Partial<ProblemBody>) : undefined;
  } catch {
    body = undefined;
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ProblemError({
    status: response.status,
    code: typeof body?.code === 'string' ? body.code : `http.${response.status}`,
    title: typeof body?.title === 'string' ? body.title : response.statusText,
    detail: typeof body?.detail === 'string' ? body.detail : undefined,
    errors: Array.isArray(body?.errors) ? body.errors.filter(isFieldProblem) : [],
    retryAfterSeconds:
      typeof body?.retryAfterSeconds === 'number' ? body.retryAfterSeconds : Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    requestId: typeof body?.requestId === 'string' ? body.requestId : undefined,
  });
}

function isFieldProblem(value: unknown): value is FieldProblem {
  return typeof value === 'object' && value !== null && typeof (value as FieldProblem).path === 'string' && typeof (value as FieldProblem).message === 'string';
}
