import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { buttonClasses } from '../../shared/ui';

/** A link page opened without its token (copied incompletely). */
export function MissingToken() {
  const { t } = useTranslation();
  return (
    <AuthCard title={t('tokenPage.missingTitle')} description={t('tokenPage.missingDescription')}>
      <Link to="/sign-in" className={buttonClasses('secondary', 'md', 'w-full')}>
        {t('common.backToSignIn')}
      </Link>
    </AuthCard>
  );
}
