import { i18next } from '../i18n/i18n';

/** Date and time in the user's language and time zone. */
export function formatDateTime(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  try {
    return new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }
}

export function formatDate(value: string | null | undefined, timeZone?: string): string {
  if (!value) return '—';
  try {
    return new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium', timeZone }).format(new Date(value));
  } catch {
    return new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium' }).format(new Date(value));
  }
}

export function formatRelative(value: string): string {
  const seconds = Math.round((new Date(value).getTime() - Date.now()) / 1000);
  const format = new Intl.RelativeTimeFormat(i18next.language, { numeric: 'auto' });
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of steps) if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  return format.format(0, 'second');
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(i18next.language).format(value);
}
