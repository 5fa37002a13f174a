import { useQuery } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { AuthCard } from '../../app/AuthLayout';
import { api } from '../../shared/api';
import { authApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { useAuth } from '../../shared/auth/useAuth';
import { buttonClasses, Spinner } from '../../shared/ui';
import { FormAlert } from './FormAlert';
import { MissingToken } from './MissingToken';

export function VerifyEmailPage() {
  const { t } = useTranslation();
  const token = useSearch({ from: '/public/verify-email' }).token ?? '';
  const auth = useAuth();
  // A query, not an effect: the token is single-use, and the query runs once however often we render.
  const verification = useQuery({
    queryKey: ['verify-email', token],
    queryFn: async () => {
      // Let a restored session settle first, so the verified user replaces it rather than the reverse.
      await api.settled();
      const user = await authApi.verifyEmail(token);
      const state = api.getState();
      if (state.status === 'signed-in' && state.user.id === user.id) api.updateUser(user);
      return user;
    },
    enabled: Boolean(token),
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  if (!token) return <MissingToken />;
  const next = auth.status === 'signed-in' ? { to: '/', label: t('verify.continue') } : { to: '/sign-in', label: t('common.backToSignIn') };

  if (verification.isPending) {
    return (
      <AuthCard title={t('verify.title')}>
        <p className="flex items-center gap-2 text-sm text-muted" role="status">
          <Spinner className="size-4" /> {t('verify.checking')}
        </p>
      </AuthCard>
    );
  }
  if (verification.isError) {
    return (
      <AuthCard title={t('verify.failedTitle')}>
        <FormAlert>{describeError(verification.error)}</FormAlert>
        <Link to={next.to} className={buttonClasses('secondary', 'md', 'w-full')}>
          {next.label}
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={t('verify.doneTitle')} description={t('verify.doneDescription', { email: verification.data.email })}>
      <Link to={next.to} className={buttonClasses('primary', 'md', 'w-full')} data-testid="verify-continue">
        {next.label}
      </Link>
    </AuthCard>
  );
}
