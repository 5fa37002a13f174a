import type { ApprovalOutcome, PublicApproval } from '@omni/contracts/approvals';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { PreferenceControls } from '../../app/PreferenceControls';
import { ProblemError } from '../../shared/api';
import { describeError } from '../../shared/api/errors';
import { formatDateTime } from '../../shared/lib/format';
import { Button, Card, CardBody, CardHeader, Field, Input, Spinner, Textarea } from '../../shared/ui';
import { LogoMark } from '../../shared/ui/Logo';
import { ApprovalPreviewView } from './ApprovalPreviewView';
import { DecisionButtons } from './DecisionButtons';
import { decisionLine, CommentList } from './ApprovalDetailPage';
import { approvalsApi, linkProblemOf } from './approvalsApi';

/**
 * /approve/$token: the client approval page, usable without an account. Shows the previews and a
 * decision form; an expired, revoked, superseded or withdrawn link explains why it no longer works, and
 * a decided request shows the decision without a form.
 */
export function PublicApprovalPage() {
  const { t } = useTranslation();
  const { token } = useParams({ strict: false }) as { token: string };
  const approval = useQuery({ queryKey: ['public-approval', token], queryFn: () => approvalsApi.publicView(token), retry: false });
  const problem = approval.error instanceof ProblemError ? linkProblemOf(approval.error.code) : null;
  const tenant = approval.data?.tenant;
  return (
    <div className="flex min-h-dvh flex-col">
      {tenant && <link rel="stylesheet" href={`/t/${encodeURIComponent(tenant.slug)}/theme.css`} precedence="default" />}
      <header className="flex items-center justify-between px-4 py-4 sm:px-8">
        <div className="flex items-center gap-2 font-semibold tracking-tight">
          {tenant?.branding.logoUrl ? <img src={tenant.branding.logoUrl} alt="" className="h-7 w-auto" /> : <LogoMark />}
          <span>{tenant?.name ?? 'Omni'}</span>
        </div>
        <PreferenceControls />
      </header>
      <main id="main" className="mx-auto w-full max-w-4xl flex-1 px-4 pb-16">
        {approval.isPending ? (
          <div className="flex items-center justify-center gap-2 py-16 text-sm text-muted" role="status">
            <Spinner /> {t('approvals.public.loading')}
          </div>
        ) : approval.isError ? (
          <div className="mx-auto max-w-md py-16 text-center" role="alert" data-testid="approval-link-problem">
            <h1 className="text-xl font-semibold">{problem ? t(`approvals.public.problems.${problem}.title`) : t('errors.pageTitle')}</h1>
            <p className="mt-2 text-sm text-muted">{problem ? t(`approvals.public.problems.${problem}.body`) : describeError(approval.error)}</p>
          </div>
        ) : (
          <ApprovalView token={token} approval={approval.data} />
        )}
      </main>
    </div>
  );
}

function ApprovalView({ token, approval }: { token: string; approval: PublicApproval }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t('approvals.public.title')}</h1>
        <p className="mt-2 text-sm">{t('approvals.public.hello', { name: approval.recipientName })}</p>
        <p className="text-sm">{t('approvals.public.intro', { tenant: approval.tenant.name, summary: approval.request.summary })}</p>
        {approval.status === 'pending' && <p className="mt-1 text-xs text-muted">{t('approvals.public.expiresAt', { when: formatDateTime(approval.expiresAt) })}</p>}
      </div>
      <Card>
        <CardHeader title={t('approvals.public.previewTitle')} />
        <CardBody>
          <ApprovalPreviewView preview={approval.preview} />
        </CardBody>
      </Card>
      {approval.decision ? (
        <Card>
          <CardHeader title={t('approvals.public.decidedTitle')} />
          <CardBody>
            <p className="text-sm font-medium" data-testid="public-decision" role="status">
              {decisionLine(t, approval.decision)}
            </p>
            {approval.decision.note && <p className="mt-2 whitespace-pre-wrap text-sm text-muted">{approval.decision.note}</p>}
          </CardBody>
        </Card>
      ) : (
        <DecisionForm token={token} />
      )}
      <PublicComments token={token} approval={approval} />
    </div>
  );
}

function DecisionForm({ token }: { token: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<ApprovalOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const decide = async (outcome: ApprovalOutcome) => {
    if (!name.trim()) {
      setError(t('approvals.public.nameRequired'));
      return;
    }
    setBusy(outcome);
    setError(null);
    try {
      const updated = await approvalsApi.publicDecide(token, { outcome, name: name.trim(), ...(comment.trim() ? { comment: comment.trim() } : {}) });
      queryClient.setQueryData(['public-approval', token], updated);
    } catch (problem) {
      setError(describeError(problem));
      await queryClient.invalidateQueries({ queryKey: ['public-approval', token] });
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card>
      <CardHeader title={t('approvals.public.formTitle')} />
      <CardBody>
        <form className="flex flex-col gap-4" onSubmit={(event) => event.preventDefault()}>
          <Field label={t('approvals.public.name')} error={error}>
            <Input value={name} onChange={(event) => setName(event.target.value)} maxLength={100} autoComplete="name" required />
          </Field>
          <Field label={t('approvals.public.comment')}>
            <Textarea value={comment} onChange={(event) => setComment(event.target.value)} maxLength={2000} rows={3} />
          </Field>
          <DecisionButtons busy={busy} onDecide={(outcome) => void decide(outcome)} />
        </form>
      </CardBody>
    </Card>
  );
}

function PublicComments({ token, approval }: { token: string; approval: PublicApproval }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await approvalsApi.publicComment(token, { name: name.trim(), body: body.trim() });
      setBody('');
      setMessage({ tone: 'ok', text: t('approvals.public.commentPosted') });
      await queryClient.invalidateQueries({ queryKey: ['public-approval', token] });
    } catch (error) {
      setMessage({ tone: 'error', text: describeError(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card>
      <CardHeader title={t('approvals.public.commentsTitle')} />
      <CardBody className="flex flex-col gap-4">
        <CommentList comments={approval.comments} />
        <form onSubmit={(event) => void submit(event)} className="flex flex-col gap-3">
          <Field label={t('approvals.public.name')}>
            <Input value={name} onChange={(event) => setName(event.target.value)} maxLength={100} autoComplete="name" required />
          </Field>
          <Field label={t('approvals.public.commentLabel')}>
            <Textarea value={body} onChange={(event) => setBody(event.target.value)} maxLength={5000} rows={3} required />
          </Field>
          {message && (
            <p className={message.tone === 'ok' ? 'text-sm text-success' : 'text-sm text-danger'} role={message.tone === 'ok' ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
          <div>
            <Button type="submit" variant="secondary" loading={busy} disabled={!name.trim() || !body.trim()}>
              {t('approvals.comments.post')}
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
