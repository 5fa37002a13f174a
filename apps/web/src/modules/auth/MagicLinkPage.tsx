import { magicLinkBodySchema } from '@omni/contracts/identity';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { authApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { buttonClasses, Spinner } from '../../shared/ui';
import { EmailLinkRequestForm } from './EmailLinkRequestForm';
import { FormAlert } from './FormAlert';

/** /magic-link: ask for a sign-in link; /magic-link?token=…: the link from the email signs in. */
export function MagicLinkPage() {
  const token = useSearch({ from: '/public/magic-link' }).token ?? '';
  return token ? <MagicLinkLanding token={token} /> : <MagicLinkRequest />;
}

function MagicLinkRequest() {
  const { t } = useTranslation();
  return <EmailLinkRequestForm messages="magic" footerLabel={t('magic.usePassword')} schema={magicLinkBodySchema} send={authApi.requestMagicLink} />;
}

function MagicLinkLanding({ token }: { token: string }) {
  const { t } = useTranslation();
  const signIn = useQuery({
    queryKey: ['magic-link', token],
    queryFn: () => authApi.verifyMagicLink(token),
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  if (signIn.isSuccess) return <Navigate to="/" />;
  if (signIn.isError) {
    return (
      <AuthCard title={t('magic.failedTitle')}>
        <FormAlert>{describeError(signIn.error)}</FormAlert>
        <Link to="/magic-link" search={{}} className={buttonClasses('secondary', 'md', 'w-full')}>
          {t('magic.again')}
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={t('magic.signingIn')}>
      <p className="flex items-center gap-2 text-sm text-muted" role="status">
        <Spinner className="size-4" /> {t('magic.checking')}
      </p>
    </AuthCard>
  );
}
