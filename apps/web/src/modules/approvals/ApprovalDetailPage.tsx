import type { ApprovalComment, ApprovalDecision, ApprovalLink, ApprovalOutcome, ApprovalRequestDetail } from '@omni/contracts/approvals';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Badge, Button, Card, CardBody, CardHeader, Checkbox, Field, Input, PageHeader, Skeleton, Textarea, useToast } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { ApprovalPreviewView } from './ApprovalPreviewView';
import { DecisionButtons } from './DecisionButtons';
import { approvalsAccessOf, approvalsApi, statusTone } from './approvalsApi';

/** /approvals/$requestId: the preview, the decision form, comments and client links of one request. */
export function ApprovalDetailPage() {
  const { t } = useTranslation();
  const { requestId } = useParams({ strict: false }) as { requestId: string };
  const { scope } = useSession();
  const access = approvalsAccessOf(scope);
  const detail = useQuery({ queryKey: ['approvals', 'detail', requestId], queryFn: () => approvalsApi.detail(requestId), enabled: access.canRead });
  if (!access.canRead) return <NoAccess />;
  return (
    <>
      <Link to="/approvals" className="mb-3 inline-block text-sm text-primary hover:underline">
        ← {t('approvals.back')}
      </Link>
      {detail.isPending ? (
        <Skeleton className="h-64" />
      ) : detail.isError ? (
        <ErrorRow error={detail.error} retry={() => void detail.refetch()} />
      ) : (
        <RequestView request={detail.data} />
      )}
    </>
  );
}

export function decisionLine(t: (key: string, options?: Record<string, unknown>) => string, decision: Pick<ApprovalDecision, 'outcome' | 'via' | 'deciderName' | 'decidedAt'>): string {
  const name = decision.via === 'link' ? t('approvals.viaLink', { name: decision.deciderName }) : decision.deciderName;
  return t('approvals.decidedBy', { outcome: t(`approvals.status.${decision.outcome}`), name, when: formatDateTime(decision.decidedAt) });
}

/** Run an action and tell the person how it went (a toast either way). */
function useAttempt() {
  const toast = useToast();
  return async (action: () => Promise<unknown>, success: string): Promise<boolean> => {
    try {
      await action();
      toast.show(success, 'success');
      return true;
    } catch (error) {
      toast.show(describeError(error), 'error');
      return false;
    }
  };
}

function RequestView({ request }: { request: ApprovalRequestDetail }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const queryClient = useQueryClient();
  const attempt = useAttempt();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['approvals'] });
  const withdraw = async () => {
    await attempt(() => approvalsApi.withdraw(request.id), t('approvals.withdrawn'));
    await refresh();
  };
  return (
    <>
      <PageHeader
        title={request.subject?.title ?? request.summary}
        description={`${t(`approvals.stage.${request.stage}`)} · ${t('approvals.revision', { number: request.subjectRevision })} · ${
          request.requestedBy
            ? t('approvals.requestedBy', { name: request.requestedBy.name, when: formatDateTime(request.requestedAt) })
            : t('approvals.requestedBySystem', { when: formatDateTime(request.requestedAt) })
        }`}
        actions={
          <>
            <Badge tone={statusTone(request.status)}>{t(`approvals.status.${request.status}`)}</Badge>
            {request.subject && (
              <a href={request.subject.linkPath} className="text-sm text-primary hover:underline">
                {request.subjectType === 'ai_run' ? t('approvals.openAiRun') : request.subjectType === 'workflow_step' ? t('approvals.openWorkflowRun') : t('approvals.openSubject')}
              </a>
            )}
            {request.canWithdraw && (
              <Button size="sm" variant="secondary" onClick={() => void withdraw()}>
                {t('approvals.withdraw')}
              </Button>
            )}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="flex flex-col gap-6">
          <Card>
            <CardHeader title={t('approvals.preview')} />
            <CardBody>
              <ApprovalPreviewView preview={request.preview} />
            </CardBody>
          </Card>
          <Comments request={request} />
        </div>
        <div className="flex flex-col gap-6">
          <Card>
            <CardHeader title={t('approvals.decisionTitle')} />
            <CardBody>
              {request.decision ? (
                <div className="text-sm" data-testid="approval-decision">
                  <p className="font-medium">{decisionLine(t, request.decision)}</p>
                  {request.decision.note && <p className="mt-2 whitespace-pre-wrap text-muted">{request.decision.note}</p>}
                </div>
              ) : request.status !== 'pending' ? (
                <p className="text-sm text-muted">{request.supersededReason ? t('approvals.supersededReason', { reason: request.supersededReason }) : t(`approvals.status.${request.status}`)}</p>
              ) : request.canDecide ? (
                <DecisionForm requestId={request.id} onDone={refresh} />
              ) : (
                <p className="text-sm text-muted">{request.requestedBy?.userId === user.id ? t('approvals.ownRequest') : t('approvals.cannotDecide')}</p>
              )}
            </CardBody>
          </Card>
          {request.canManageLinks && <ClientLinks request={request} />}
        </div>
      </div>
    </>
  );
}

function DecisionForm({ requestId, onDone }: { requestId: string; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<ApprovalOutcome | null>(null);
  const decide = async (outcome: ApprovalOutcome) => {
    setBusy(outcome);
    try {
      await approvalsApi.decide(requestId, { outcome, ...(note.trim() ? { note: note.trim() } : {}) });
      toast.show(t('approvals.decided'), 'success');
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(null);
      await onDone();
    }
  };
  return (
    <form className="flex flex-col gap-4" onSubmit={(event) => event.preventDefault()}>
      <Field label={t('approvals.note')} hint={t('approvals.noteHint')}>
        <Textarea value={note} onChange={(event) => setNote(event.target.value)} maxLength={2000} rows={3} />
      </Field>
      <DecisionButtons busy={busy} onDecide={(outcome) => void decide(outcome)} />
    </form>
  );
}

function Comments({ request }: { request: ApprovalRequestDetail }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    try {
      await approvalsApi.comment(request.subjectType, request.subjectId, body.trim());
      setBody('');
      toast.show(t('approvals.comments.posted'), 'success');
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: ['approvals', 'detail', request.id] });
    }
  };
  const attempt = useAttempt();
  const remove = async (comment: ApprovalComment) => {
    await attempt(() => approvalsApi.deleteComment(comment.id), t('approvals.comments.deleted'));
    await queryClient.invalidateQueries({ queryKey: ['approvals', 'detail', request.id] });
  };
  return (
    <Card>
      <CardHeader title={t('approvals.comments.title')} />
      <CardBody className="flex flex-col gap-4">
        <CommentList comments={request.comments} onDelete={(comment) => void remove(comment)} />
        <form onSubmit={(event) => void submit(event)} className="flex flex-col gap-2">
          <Field label={t('approvals.comments.label')}>
            <Textarea value={body} onChange={(event) => setBody(event.target.value)} maxLength={5000} rows={3} />
          </Field>
          <div>
            <Button type="submit" variant="secondary" loading={busy} disabled={!body.trim()}>
              {t('approvals.comments.post')}
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

/** Comments oldest first, each with its author, revision and time (shared with the public page). */
export function CommentList({ comments, onDelete }: { comments: Array<Omit<ApprovalComment, 'canDelete' | 'authorUserId'> & { canDelete?: boolean }>; onDelete?: (comment: ApprovalComment) => void }) {
  const { t } = useTranslation();
  if (comments.length === 0) return <p className="text-sm text-muted">{t('approvals.comments.empty')}</p>;
  return (
    <ul className="flex flex-col gap-3" aria-label={t('approvals.comments.title')}>
      {comments.map((comment) => (
        <li key={comment.id} className="rounded-lg border border-border px-3 py-2" data-testid="approval-comment">
          <div className="flex flex-wrap items-center gap-x-2 text-xs text-muted">
            <span className="font-medium text-fg">{comment.authorName}</span>
            {comment.viaLink && <Badge>{t('approvals.comments.viaLink')}</Badge>}
            <span>{t('approvals.comments.onRevision', { number: comment.subjectRevision })}</span>
            <span>· {formatDateTime(comment.createdAt)}</span>
            {comment.canDelete && onDelete && (
              <button type="button" className="ml-auto text-danger hover:underline" onClick={() => onDelete(comment as ApprovalComment)}>
                {t('approvals.comments.delete')}
              </button>
            )}
          </div>
          <p className="mt-1 whitespace-pre-wrap break-words text-sm">{comment.body}</p>
        </li>
      ))}
    </ul>
  );
}

function ClientLinks({ request }: { request: ApprovalRequestDetail }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [recipientName, setRecipientName] = useState('');
  const [recipientEmail, setRecipientEmail] = useState('');
  const [days, setDays] = useState('7');
  const [sendEmail, setSendEmail] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['approvals', 'detail', request.id] });
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const link = await approvalsApi.createLink(request.id, {
        recipientName: recipientName.trim(),
        recipientEmail: recipientEmail.trim() || null,
        expiresInDays: Number.parseInt(days, 10) || undefined,
        sendEmail,
      });
      setCreated(link.url);
      setRecipientName('');
      setRecipientEmail('');
      toast.show(t('approvals.links.created'), 'success');
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(false);
      await refresh();
    }
  };
  const attempt = useAttempt();
  const copy = (url: string) => attempt(() => navigator.clipboard.writeText(url), t('approvals.links.copied'));
  const revoke = async (link: ApprovalLink) => {
    await attempt(() => approvalsApi.revokeLink(link.id), t('approvals.links.revoked'));
    await refresh();
  };
  return (
    <Card>
      <CardHeader title={t('approvals.links.title')} description={t('approvals.links.description')} />
      <CardBody className="flex flex-col gap-4">
        {created && (
          <div className="flex flex-col gap-2 rounded-lg border border-primary/40 bg-primary/5 p-3" role="status">
            <p className="text-sm">{t('approvals.links.created')}</p>
            <Input readOnly value={created} aria-label={t('approvals.links.copy')} onFocus={(event) => event.target.select()} data-testid="created-link-url" />
            <div>
              <Button size="sm" variant="secondary" onClick={() => void copy(created)}>
                {t('approvals.links.copy')}
              </Button>
            </div>
          </div>
        )}
        {request.links.length === 0 ? (
          <p className="text-sm text-muted">{t('approvals.links.empty')}</p>
        ) : (
          <ul className="flex flex-col gap-2">
            {request.links.map((link) => (
              <li key={link.id} className="flex flex-wrap items-center gap-2 rounded-lg border border-border px-3 py-2 text-sm">
                <span className="font-medium">{link.recipientName}</span>
                <Badge tone={link.status === 'active' ? 'success' : 'neutral'}>{t(`approvals.links.status.${link.status}`)}</Badge>
                <span className="w-full text-xs text-muted">
                  {t('approvals.links.expires', { when: formatDateTime(link.expiresAt) })} · {t('approvals.links.opened', { count: link.openCount })}
                </span>
                {link.status === 'active' && (
                  <Button size="sm" variant="ghost-danger" onClick={() => void revoke(link)}>
                    {t('approvals.links.revoke')}
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {request.status === 'pending' && (
          <form onSubmit={(event) => void create(event)} className="flex flex-col gap-3 border-t border-border pt-4">
            <Field label={t('approvals.links.recipientName')}>
              <Input value={recipientName} onChange={(event) => setRecipientName(event.target.value)} maxLength={100} required />
            </Field>
            <Field label={t('approvals.links.recipientEmail')}>
              <Input type="email" value={recipientEmail} onChange={(event) => setRecipientEmail(event.target.value)} maxLength={254} />
            </Field>
            <Field label={t('approvals.links.days')}>
              <Input type="number" min={1} max={30} value={days} onChange={(event) => setDays(event.target.value)} />
            </Field>
            <Checkbox label={t('approvals.links.sendEmail')} checked={sendEmail} onChange={(event) => setSendEmail(event.target.checked)} />
            <div>
              <Button type="submit" loading={busy} disabled={!recipientName.trim()}>
                {t('approvals.links.create')}
              </Button>
            </div>
          </form>
        )}
      </CardBody>
    </Card>
  );
}
