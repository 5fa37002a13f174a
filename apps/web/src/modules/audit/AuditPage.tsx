import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { PageHeader } from '../../shared/ui';
import { AuditLog } from './AuditLog';

export function AuditPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  if (!accessOf(user, scope).canReadAudit) return <NoAccess />;
  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.description')} />
      <AuditLog platform={false} />
    </>
  );
}
