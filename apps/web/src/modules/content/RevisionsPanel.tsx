import type { Post, PostSaveResult } from '@omni/contracts/content';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { formatDateTime } from '../../shared/lib/format';
import { Button, Card, CardBody, CardHeader, Spinner, useToast } from '../../shared/ui';
import { contentApi } from './contentApi';

/** A post's revisions: what changed in each (word diff against the one before), and restore. */
export function RevisionsPanel({ post, canRestore, onRestored }: { post: Post; canRestore: boolean; onRestored: (post: PostSaveResult) => Promise<void> }) {
  const { t } = useTranslation();
  const toast = useToast();
  const revisions = useQuery({ queryKey: ['content', 'revisions', post.id, post.currentRevision], queryFn: () => contentApi.revisions(post.id) });
  const [open, setOpen] = useState<number | null>(null);
  const diff = useQuery({ queryKey: ['content', 'diff', post.id, open], queryFn: () => contentApi.diff(post.id, open!), enabled: open !== null && open > 1 });
  const [restoring, setRestoring] = useState<number | null>(null);

  return (
    <Card>
      <CardHeader title={t('content.revisions.title')} description={t('content.revisions.description')} />
      <CardBody>
        {revisions.isPending ? (
          <Spinner />
        ) : revisions.isError ? (
          <p className="text-sm text-danger">{describeError(revisions.error)}</p>
        ) : (
          <ol className="flex flex-col gap-3">
            {revisions.data.items.map((revision) => (
              <li key={revision.number} className="flex flex-col gap-1 border-b border-border pb-2 last:border-0">
                <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
                  <span>
                    <strong>{t('content.revisions.number', { number: revision.number })}</strong> · {formatDateTime(revision.createdAt)}
                    {revision.note && <span className="text-muted"> · {revision.note}</span>}
                  </span>
                  <span className="flex gap-2">
                    {revision.number > 1 && (
                      <Button size="sm" variant="ghost" aria-expanded={open === revision.number} onClick={() => setOpen(open === revision.number ? null : revision.number)}>
                        {t('content.revisions.changes')}
                      </Button>
                    )}
                    {canRestore && revision.number !== post.currentRevision && (
                      <Button
                        size="sm"
                        variant="secondary"
                        loading={restoring === revision.number}
                        onClick={async () => {
                          setRestoring(revision.number);
                          try {
                            await onRestored(await contentApi.restore(post.id, revision.number, post.currentRevision));
                            toast.show(t('content.revisions.restored', { number: revision.number }), 'success');
                          } catch (error) {
                            toast.show(describeError(error), 'error');
                          } finally {
                            setRestoring(null);
                          }
                        }}
                      >
                        {t('content.revisions.restore')}
                      </Button>
                    )}
                  </span>
                </div>
                {open === revision.number &&
                  (diff.isPending ? (
                    <Spinner />
                  ) : diff.isError ? (
                    <p className="text-sm text-danger">{describeError(diff.error)}</p>
                  ) : (
                    <dl className="flex flex-col gap-1 text-sm" data-testid="revision-diff">
                      {diff.data.fields.length === 0 && <dd className="text-muted">{t('content.revisions.noChanges')}</dd>}
                      {diff.data.fields.map((field) => (
                        <div key={`${field.field}-${field.network ?? ''}-${field.abLabel ?? ''}`}>
                          <dt className="font-medium">{field.network ? `${field.field} (${field.network}${field.abLabel ? ` ${field.abLabel}` : ''})` : field.field}</dt>
                          <dd className="whitespace-pre-wrap">
                            {field.changes.map((change, index) =>
                              change.op === 'insert' ? (
                                <ins key={index} className="bg-success/15 no-underline">{change.text}</ins>
                              ) : change.op === 'delete' ? (
                                <del key={index} className="bg-danger/15">{change.text}</del>
                              ) : (
                                <span key={index}>{change.text}</span>
                              ),
                            )}
                          </dd>
                        </div>
                      ))}
                    </dl>
                  ))}
              </li>
            ))}
          </ol>
        )}
      </CardBody>
    </Card>
  );
}
