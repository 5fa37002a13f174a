import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { api } from '../../shared/api';
import { useSession } from '../../shared/auth/useAuth';
import { changeLanguage, supportedLanguages, type LanguageCode } from '../../shared/i18n/i18n';
import { setColorScheme, useColorScheme, type ColorSchemePreference } from '../../shared/theme/colorScheme';
import { Avatar, DropdownMenu, type MenuItem } from '../../shared/ui';
import { KeyIcon, LogOutIcon, MonitorIcon, UserIcon } from '../../shared/ui/icons';

export function UserMenu({ compact = false, canManageApiKeys }: { compact?: boolean; canManageApiKeys: boolean }) {
  const { t, i18n } = useTranslation();
  const { user } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const scheme = useColorScheme();
  const schemes: ColorSchemePreference[] = ['light', 'dark', 'system'];

  const items: MenuItem[] = [
    { label: t('nav.profile'), icon: <UserIcon />, onSelect: () => void navigate({ to: '/settings/profile' }) },
    { label: t('nav.sessions'), icon: <MonitorIcon />, onSelect: () => void navigate({ to: '/settings/sessions' }) },
    ...(canManageApiKeys ? [{ label: t('nav.apiKeys'), icon: <KeyIcon />, onSelect: () => void navigate({ to: '/settings/api-keys' }) }] : []),
    { type: 'separator' },
    { type: 'label', label: t('preferences.theme') },
    ...schemes.map((value) => ({ label: t(`preferences.scheme.${value}`), checked: scheme === value, onSelect: () => setColorScheme(value) })),
    { type: 'separator' },
    { type: 'label', label: t('preferences.language') },
    ...supportedLanguages.map((language) => ({
      label: language.label,
      checked: i18n.resolvedLanguage === language.code,
      onSelect: () => changeLanguage(language.code as LanguageCode),
    })),
    { type: 'separator' },
    {
      label: t('userMenu.signOut'),
      icon: <LogOutIcon />,
      tone: 'danger',
      onSelect: async () => {
        await api.signOut();
        queryClient.clear();
        await navigate({ to: '/sign-in' });
      },
    },
  ];

  return (
    <DropdownMenu
      side={compact ? 'bottom' : 'top'}
      align={compact ? 'end' : 'start'}
      triggerLabel={t('userMenu.label', { name: user.name })}
      triggerClassName={
        compact
          ? 'flex items-center rounded-full'
          : 'flex w-full items-center gap-3 rounded-xl px-2 py-2 text-left hover:bg-surface-2'
      }
      trigger={
        <>
          <Avatar name={user.name} src={user.avatarUrl} size={compact ? 'sm' : 'md'} />
          {!compact && (
            <span className="min-w-0 flex-1">
              <span className="block truncate text-sm font-medium">{user.name}</span>
              <span className="block truncate text-xs text-muted">{user.email}</span>
            </span>
          )}
        </>
      }
      items={items}
    />
  );
}
