import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { authApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { Button, useToast } from '../../shared/ui';
import { MailIcon } from '../../shared/ui/icons';

export function EmailVerificationBanner() {
  const { t } = useTranslation();
  const { user } = useSession();
  const toast = useToast();
  const [sending, setSending] = useState(false);
  return (
    <div className="border-b border-border bg-primary/5 px-4 py-2.5 sm:px-6 lg:px-8" data-testid="verify-banner">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 gap-y-2 text-sm">
        <MailIcon className="size-4 text-primary" />
        <span className="flex-1">{t('verifyBanner.text', { email: user.email })}</span>
        <Button
          size="sm"
          variant="secondary"
          loading={sending}
          onClick={async () => {
            setSending(true);
            try {
              await authApi.resendVerification();
              toast.show(t('verifyBanner.sent', { email: user.email }), 'success');
            } catch (error) {
              toast.show(describeError(error), 'error');
            } finally {
              setSending(false);
            }
          }}
        >
          {t('verifyBanner.resend')}
        </Button>
      </div>
    </div>
  );
}
