import type { FeedWebhookEndpoint, FeedWebhookSecret } from '@omni/contracts/feeds';
import type { SocialConnection } from '@omni/contracts/social';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { formatDateTime } from '../../shared/lib/format';
import { Badge, Button, Card, CardBody, CardHeader, Dialog, EmptyState, Field, Input, Table, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { CopyIcon, KeyIcon, PlusIcon } from '../../shared/ui/icons';
import { feedsApi, signingExamples } from './feedsApi';
import { ConfirmRemoveDialog, FormFooter, QueryStates } from './feedsShared';
import { ConnectionPicker, TemplatePicker } from './SubscriptionDialog';

/** Inbound webhook endpoints: URL, status, last delivery; create and rotate show the secret once. */
export function WebhooksSection({ canManage, connections, timeZone }: { canManage: boolean; connections: SocialConnection[]; timeZone: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const endpoints = useQuery({ queryKey: ['feeds', 'webhooks'], queryFn: feedsApi.webhooks });
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<FeedWebhookSecret | null>(null);
  const [removing, setRemoving] = useState<FeedWebhookEndpoint | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['feeds', 'webhooks'] });

  async function act(endpoint: FeedWebhookEndpoint, run: () => Promise<unknown>, done?: string) {
    setBusyId(endpoint.id);
    try {
      const result = await run();
      if (result && typeof result === 'object' && 'secret' in result) setRevealed(result as FeedWebhookSecret);
      if (done) toast.show(done, 'success');
      await refresh();
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusyId(null);
    }
  }

  return (
    <Card className="mt-6">
      <CardHeader
        title={t('feeds.webhooksTitle')}
        description={t('feeds.webhooksDescription')}
        action={
          canManage && (
            <Button size="sm" onClick={() => setCreating(true)}>
              <PlusIcon /> {t('feeds.newWebhook')}
            </Button>
          )
        }
      />
      <CardBody>
        <QueryStates query={endpoints} columns={4} empty={<EmptyState icon={<KeyIcon className="size-6" />} title={t('feeds.webhooksEmpty')} description={t('feeds.webhooksEmptyDescription')} />}>
          {(data) => (
            <Table caption={t('feeds.webhooksTitle')}>
              <THead>
                <tr>
                  <Th>{t('fields.name')}</Th>
                  <Th>{t('feeds.endpointUrl')}</Th>
                  <Th>{t('feeds.status')}</Th>
                  <Th>{t('feeds.lastReceived')}</Th>
                  {canManage && <Th className="text-right">{t('common.actions')}</Th>}
                </tr>
              </THead>
              <TBody>
                {data.items.map((endpoint) => (
                  <Tr key={endpoint.id} data-testid="webhook-row">
                    <Td className="font-medium">{endpoint.name}</Td>
                    <Td>
                      <code className="break-all text-xs">{endpoint.url}</code>
                      {endpoint.previousSecretExpiresAt && (
                        <div className="text-xs text-muted">{t('feeds.previousSecretUntil', { at: formatDateTime(endpoint.previousSecretExpiresAt, timeZone) })}</div>
                    )}
                  </Td>
                  <Td>
                    <Badge tone={endpoint.status === 'active' ? 'success' : 'neutral'}>{t(`feeds.webhookStatuses.${endpoint.status}`)}</Badge>
                  </Td>
                  <Td className="text-muted">{endpoint.lastReceivedAt ? formatDateTime(endpoint.lastReceivedAt, timeZone) : t('feeds.never')}</Td>
                  {canManage && (
                    <Td className="text-right">
                      <div className="flex flex-wrap justify-end gap-2">
                        <Button size="sm" variant="secondary" loading={busyId === endpoint.id} onClick={() => void act(endpoint, () => feedsApi.rotateSecret(endpoint.id))} aria-label={t('feeds.rotateFor', { name: endpoint.name })}>
                          {t('feeds.rotate')}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => void act(endpoint, () => feedsApi.updateWebhook(endpoint.id, { status: endpoint.status === 'active' ? 'disabled' : 'active' }))}
                          aria-label={t(endpoint.status === 'active' ? 'feeds.disableFor' : 'feeds.enableFor', { name: endpoint.name })}
                        >
                          {endpoint.status === 'active' ? t('feeds.disable') : t('feeds.enable')}
                        </Button>
                        <Button size="sm" variant="ghost-danger" onClick={() => setRemoving(endpoint)} aria-label={t('feeds.removeFor', { name: endpoint.name })}>
                          {t('feeds.remove')}
                        </Button>
                      </div>
                    </Td>
                  )}
                </Tr>
              ))}
            </TBody>
          </Table>
          )}
        </QueryStates>
      </CardBody>
      {creating && (
        <CreateWebhookDialog
          connections={connections}
          onClose={() => setCreating(false)}
          onCreated={async (created) => {
            setCreating(false);
            setRevealed(created);
            await refresh();
          }}
        />
      )}
      {revealed && <SecretDialog secret={revealed} onClose={() => setRevealed(null)} />}
      <ConfirmRemoveDialog
        open={removing !== null}
        title={t('feeds.removeWebhookTitle')}
        description={removing ? t('feeds.removeWebhookDescription', { name: removing.name }) : undefined}
        busy={busyId === removing?.id}
        onCancel={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await act(removing, () => feedsApi.removeWebhook(removing.id), t('feeds.removedToast', { name: removing.name }));
          setRemoving(null);
        }}
      />
    </Card>
  );
}

function CreateWebhookDialog({ connections, onClose, onCreated }: { connections: SocialConnection[]; onClose: () => void; onCreated: (created: FeedWebhookSecret) => Promise<void> }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [connectionIds, setConnectionIds] = useState<string[]>([]);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('feeds.newWebhookTitle')}
      description={t('feeds.newWebhookDescription')}
      footer={<FormFooter formId="feed-webhook-form" submitLabel={t('feeds.createWebhook')} busy={busy} onCancel={onClose} />}
    >
      <form
        id="feed-webhook-form"
        noValidate
        className="flex flex-col gap-4"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await onCreated(await feedsApi.createWebhook({ name: name.trim(), connectionIds, templateId }));
          } catch (caught) {
            setError(describeError(caught));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('fields.name')} error={error}>
          <Input autoFocus value={name} onChange={(event) => setName(event.target.value)} maxLength={120} />
        </Field>
        <TemplatePicker value={templateId} onChange={setTemplateId} />
        <ConnectionPicker connections={connections} selected={connectionIds} onChange={setConnectionIds} />
      </form>
    </Dialog>
  );
}

/** The secret, once: copy it now; with the URL and how to sign a delivery. */
function SecretDialog({ secret, onClose }: { secret: FeedWebhookSecret; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const examples = signingExamples(secret.endpoint.url, secret.secret);
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast.show(t('feeds.copied'), 'success');
    } catch {
      toast.show(t('feeds.copyFailed'), 'error');
    }
  };
  return (
    <Dialog open onClose={onClose} title={t('feeds.secretTitle')} description={t('feeds.secretDescription')} className="max-w-2xl" footer={<Button onClick={onClose}>{t('feeds.secretDone')}</Button>}>
      <div className="flex flex-col gap-4 text-sm">
        <div>
          <div className="font-medium">{t('feeds.endpointUrl')}</div>
          <code className="break-all" data-testid="webhook-url">{secret.endpoint.url}</code>
        </div>
        <div>
          <div className="flex items-center justify-between">
            <span className="font-medium">{t('feeds.secret')}</span>
            <Button size="sm" variant="ghost" onClick={() => void copy(secret.secret)} aria-label={t('feeds.copySecret')}>
              <CopyIcon /> {t('feeds.copy')}
            </Button>
          </div>
          <code className="block break-all rounded bg-surface-2 p-2" data-testid="webhook-secret">{secret.secret}</code>
        </div>
        <div>
          <div className="font-medium">{t('feeds.signingTitle')}</div>
          <p className="text-muted">{t('feeds.signingHint')}</p>
          <pre className="mt-2 overflow-x-auto rounded bg-surface-2 p-2 text-xs" aria-label="curl">{examples.curl}</pre>
          <pre className="mt-2 overflow-x-auto rounded bg-surface-2 p-2 text-xs" aria-label="Node.js">{examples.node}</pre>
        </div>
      </div>
    </Dialog>
  );
}
