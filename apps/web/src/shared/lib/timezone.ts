/** Time zones for planning: wall-clock times in a named IANA zone, whatever the browser's own zone is. */

// The wall-clock ↔ instant helpers are shared with the server (packages/contracts/src/time.ts).
export { fromZonedInputValue, isKnownTimeZone, toZonedInputValue, zonedDateKey, zonedTimeToInstant } from '@omni/contracts/time';

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
