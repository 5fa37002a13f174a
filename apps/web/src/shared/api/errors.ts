import { i18next, translateMessage } from '../i18n/i18n';
import { NetworkError, ProblemError } from './problem';

/**
 * A sentence for a person from any error a call can throw: the server's own detail (translated when
 * we know it), or a plain explanation of what happened on the way.
 */
export function describeError(error: unknown): string {
  if (error instanceof ProblemError) {
    if (error.status >= 500) return i18next.t('errors.server', { requestId: error.requestId ?? '—' });
    // English: the server's own sentence is the most precise. Other languages: our translation by code.
    const hasDetail = error.message && !error.message.startsWith('Request failed');
    const useCode = !(i18next.resolvedLanguage === 'en' && hasDetail) && i18next.exists(`problems.${error.code}`);
    if (useCode) return i18next.t(`problems.${error.code}`, { seconds: error.retryAfterSeconds ?? 60 });
    if (error.message) return translateMessage(error.message);
    return i18next.t('errors.status', { status: error.status });
  }
  if (error instanceof NetworkError) return i18next.t('errors.network');
  return i18next.t('errors.unexpected');
}
