import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';

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

/** Languages other than English are separate chunks, fetched the first time they are needed. */
const languageBundles: Record<Exclude<LanguageCode, 'en'>, () => Promise<{ translation: object; messages: object }>> = {
  de: () => import('./locales/de-bundle'),
};

/** The English texts of the feature screens (AI, campaigns, workflows): a chunk of their own, fetched at start. */
async function loadEnglishFeatures(): Promise<void> {
  const { enFeatures } = await import('./locales/en-features');
  i18next.addResourceBundle('en', 'translation', enFeatures, true, false);
}

/** Make a language's texts available (a no-op for English and for one already loaded). */
export async function loadLanguage(code: LanguageCode): Promise<void> {
  if (code === 'en' || i18next.hasResourceBundle(code, 'translation')) return;
  const bundle = await languageBundles[code]();
  i18next.addResourceBundle(code, 'translation', bundle.translation);
  i18next.addResourceBundle(code, 'messages', bundle.messages);
}

export function changeLanguage(code: LanguageCode) {
  try {
    localStorage.setItem(storageKey, code);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
  void loadLanguage(code)
    .then(() => i18next.changeLanguage(code))
    .catch(() => {
      // the chunk could not be fetched (offline): stay in the current language
    });
}

const startLanguage = initialLanguage();
void i18next.use(initReactI18next).init({
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: supportedLanguages.map((language) => language.code),
  defaultNS: 'translation',
  // "messages": texts written by the server and the shared contracts, keyed by their English wording.
  resources: { en: { translation: en, messages: {} } },
  partialBundledLanguages: true,
  interpolation: { escapeValue: false },
  returnNull: false,
});

/**
 * Resolves once the starting language is ready (main.tsx renders after it, so a German user never sees
 * English first). A language that cannot be loaded leaves English.
 */
export const i18nReady: Promise<void> = Promise.all([loadEnglishFeatures(), loadLanguage(startLanguage)])
  .then(() => i18next.changeLanguage(startLanguage))
  .then(
    () => undefined,
    () => undefined,
  );

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
