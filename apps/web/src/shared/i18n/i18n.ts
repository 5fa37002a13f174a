import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { de } from './locales/de';
import { deMessages } from './locales/de-messages';

export const supportedLanguages = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
] as const;
export type LanguageCode = (typeof supportedLanguages)[number]['code'];

const storageKey = 'omni.language';

/** The language to start in: the one chosen here before, else the browser's, else English. */
export function initialLanguage(): LanguageCode {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved && supportedLanguages.some((language) => language.code === saved)) return saved as LanguageCode;
  } catch {
    // storage unavailable
  }
  const browser = typeof navigator !== 'undefined' ? navigator.language.toLowerCase() : 'en';
  return browser.startsWith('de') ? 'de' : 'en';
}

/** Map any BCP 47 tag (a user's profile locale) to a console language, or null when unsupported. */
export function consoleLanguageOf(locale: string | null | undefined): LanguageCode | null {
  const base = locale?.toLowerCase().split('-')[0];
  return supportedLanguages.find((language) => language.code === base)?.code ?? null;
}

export function changeLanguage(code: LanguageCode) {
  try {
    localStorage.setItem(storageKey, code);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
  void i18next.changeLanguage(code);
}

void i18next.use(initReactI18next).init({
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: supportedLanguages.map((language) => language.code),
  defaultNS: 'translation',
  // "messages": texts written by the server and the shared contracts, keyed by their English wording.
  resources: { en: { translation: en, messages: {} }, de: { translation: de, messages: deMessages } },
  interpolation: { escapeValue: false },
  returnNull: false,
});

const applyDocumentLanguage = (language: string) => {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
};
applyDocumentLanguage(i18next.language);
i18next.on('languageChanged', applyDocumentLanguage);

/** Translate a message written in English by the server or a contract schema (falls back to it as-is). */
export function translateMessage(message: string): string {
  return i18next.t(message, { ns: 'messages', keySeparator: false, nsSeparator: false, defaultValue: message });
}

export { i18next };
