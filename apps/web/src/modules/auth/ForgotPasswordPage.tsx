import { forgotPasswordBodySchema } from '@omni/contracts/identity';
import { useTranslation } from 'react-i18next';
import { authApi } from '../../shared/api/endpoints';
import { EmailLinkRequestForm } from './EmailLinkRequestForm';

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  return <EmailLinkRequestForm messages="forgot" footerLabel={t('common.backToSignIn')} schema={forgotPasswordBodySchema} send={authApi.forgotPassword} />;
}
