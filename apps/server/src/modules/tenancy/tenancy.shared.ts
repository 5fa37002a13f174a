import { badRequest } from '../../kernel/errors.js';

/** Small helpers shared by the tenancy use cases: slugs and list cursors. */

/** "Bella Café & Co." → "bella-cafe-co": lower-case ASCII letters, digits and single inner hyphens. */
export function slugify(text: string, maxLength = 50): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return slug;
}

/**
 * Candidate slugs for a derived (not user-chosen) slug: the base, then base-2, base-3, … The caller tries
 * them in order until one is free, so two "Acme" tenants get acme and acme-2 instead of an error.
 */
export function* slugCandidates(base: string, fallback: string, minLength = 1): Generator<string> {
  const root = base.length >= minLength ? base : base ? `${base}-${fallback}` : fallback;
  yield root;
  for (let suffix = 2; suffix < 50; suffix += 1) yield `${root}-${suffix}`;
  for (;;) yield `${root}-${Math.random().toString(36).slice(2, 8)}`;
}

export type CursorPosition = { at: string; id: string };

/** An opaque cursor for keyset paging: the last row's exact created_at (as PostgreSQL text) and id. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id]), 'utf8').toString('base64url');
}

/** created_at as PostgreSQL prints timestamptz, e.g. 2030-01-31 12:00:00.123456+00. */
const timestampTextPattern = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}(?::?\d{2})?|Z)$/;

export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (cursor === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      timestampTextPattern.test(value[0]) &&
      /^[0-9a-f-]{1,64}$/i.test(value[1])
    ) {
      return { at: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('request.invalid_cursor', 'The cursor is not valid; start again from the first page.', [
    { path: 'querystring.cursor', message: 'is not a cursor returned by this list' },
  ]);
}

/** Rows fetched with limit + 1: the page, and the cursor of its last row when more rows follow. */
export function toPage<Row extends { cursorAt: string; id: string }, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}

export function toIso(value: Date): string;
export function toIso(value: Date | null): string | null;
export function toIso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}

/** A PostgreSQL unique violation (23505), also when wrapped by Drizzle's query error. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (candidate: unknown) => (candidate as { code?: unknown } | null)?.code;
  return code(error) === '23505' || code((error as { cause?: unknown } | null)?.cause) === '23505';
}
