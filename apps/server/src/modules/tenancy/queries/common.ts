import { sql, type SQL } from 'drizzle-orm';
import type { CursorPosition } from '../tenancy.shared.js';

/** Raw queries return timestamps as text (Drizzle's driver setup); typed as Date like the table rows. */
export function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export function asNullableDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : asDate(value);
}

export type Paged = { limit: number; cursor: CursorPosition | null };

/** Keyset condition for lists ordered by (created_at, id); `at` is created_at as PostgreSQL text. */
export function after(alias: string, cursor: CursorPosition | null, direction: 'asc' | 'desc'): SQL {
  if (!cursor) return sql`true`;
  const column = sql.raw(`${alias}.created_at`);
  const id = sql.raw(`${alias}.id`);
  return direction === 'asc'
    ? sql`(${column}, ${id}) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
    : sql`(${column}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}
