import { useTranslation } from 'react-i18next';
import { changeLanguage, supportedLanguages, type LanguageCode } from '../shared/i18n/i18n';
import { setColorScheme, useColorScheme, type ColorSchemePreference } from '../shared/theme/colorScheme';
import { DropdownMenu } from '../shared/ui';
import { GlobeIcon, MoonIcon, SunIcon } from '../shared/ui/icons';

const iconButton = 'inline-flex size-9 items-center justify-center rounded-lg text-muted hover:bg-surface-2 hover:text-fg';

/** Theme and language switches for pages without the user menu (sign-in, register, …). */
export function PreferenceControls() {
  const { t, i18n } = useTranslation();
  const scheme = useColorScheme();
  const schemes: ColorSchemePreference[] = ['light', 'dark', 'system'];
  return (
    <div className="flex items-center gap-1">
      <DropdownMenu
        triggerLabel={t('preferences.theme')}
        triggerClassName={iconButton}
        trigger={<><SunIcon className="size-5 dark:hidden" /><MoonIcon className="hidden size-5 dark:block" /></>}
        items={schemes.map((value) => ({ label: t(`preferences.scheme.${value}`), checked: scheme === value, onSelect: () => setColorScheme(value) }))}
      />
      <DropdownMenu
        triggerLabel={t('preferences.language')}
        triggerClassName={iconButton}
        trigger={<GlobeIcon className="size-5" />}
        items={supportedLanguages.map((language) => ({
          label: language.label,
          checked: i18n.resolvedLanguage === language.code,
          onSelect: () => changeLanguage(language.code as LanguageCode),
        }))}
      />
    </div>
  );
}
