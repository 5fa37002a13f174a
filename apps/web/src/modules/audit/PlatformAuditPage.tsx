import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { PageHeader } from '../../shared/ui';
import { AuditLog } from './AuditLog';

export function PlatformAuditPage() {
  const { t } = useTranslation();
  const { user } = useSession();
  if (!user.isSuperAdmin) return <NoAccess />;
  return (
    <>
      <PageHeader title={t('audit.platformTitle')} description={t('audit.platformDescription')} />
      <AuditLog platform />
    </>
  );
}
