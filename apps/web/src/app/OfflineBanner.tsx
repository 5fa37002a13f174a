import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { WifiOffIcon } from '../shared/ui/icons';

function subscribe(listener: () => void) {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/** The offline shell still renders; this says why data cannot load. */
export function OfflineBanner() {
  const { t } = useTranslation();
  const online = useSyncExternalStore(subscribe, () => navigator.onLine, () => true);
  if (online) return null;
  return (
    <div role="status" className="flex items-center justify-center gap-2 bg-warning/15 px-4 py-2 text-sm text-fg">
      <WifiOffIcon />
      {t('offline.banner')}
    </div>
  );
}
