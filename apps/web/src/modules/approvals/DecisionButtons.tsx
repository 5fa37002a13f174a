import type { ApprovalOutcome } from '@omni/contracts/approvals';
import { useTranslation } from 'react-i18next';
import { Button } from '../../shared/ui';

/** Approve / request changes / reject, with the pressed one spinning (the inbox and the client page). */
export function DecisionButtons({ busy, onDecide }: { busy: ApprovalOutcome | null; onDecide: (outcome: ApprovalOutcome) => void }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-wrap gap-2">
      <Button type="button" loading={busy === 'approved'} disabled={busy !== null} onClick={() => onDecide('approved')}>
        {t('approvals.approve')}
      </Button>
      <Button type="button" variant="secondary" loading={busy === 'changes_requested'} disabled={busy !== null} onClick={() => onDecide('changes_requested')}>
        {t('approvals.requestChanges')}
      </Button>
      <Button type="button" variant="danger" loading={busy === 'rejected'} disabled={busy !== null} onClick={() => onDecide('rejected')}>
        {t('approvals.reject')}
      </Button>
    </div>
  );
}
