import { createApiKeyBodySchema, type ApiKey, type CreatedApiKey } from '@omni/contracts/identity';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { authApi, tenancyApi } from '../../shared/api/endpoints';
import { describeError } from '../../shared/api/errors';
import { accessOf } from '../../shared/auth/access';
import { useSession } from '../../shared/auth/useAuth';
import { useForm } from '../../shared/forms/useForm';
import { formatDate, formatDateTime } from '../../shared/lib/format';
import { Badge, Button, Checkbox, Dialog, EmptyState, Field, Input, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { CheckIcon, CopyIcon, KeyIcon, PlusIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';

export function ApiKeysPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = accessOf(user, scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: authApi.apiKeys, enabled: access.canManageApiKeys });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState(false);
  if (!access.canManageApiKeys) return <NoAccess />;

  return (
    <>
      <PageHeader
        title={t('apiKeys.title')}
        description={t('apiKeys.description')}
        actions={
          <Button onClick={() => setCreating(true)}>
            <PlusIcon /> {t('apiKeys.create')}
          </Button>
        }
      />
      {keys.isPending ? (
        <TableSkeleton columns={4} rows={3} />
      ) : keys.isError ? (
        <ErrorRow error={keys.error} retry={() => void keys.refetch()} />
      ) : keys.data.items.length === 0 ? (
        <EmptyState
          icon={<KeyIcon className="size-6" />}
          title={t('apiKeys.empty')}
          description={t('apiKeys.emptyDescription')}
          action={<Button onClick={() => setCreating(true)}>{t('apiKeys.create')}</Button>}
        />
      ) : (
        <Table caption={t('apiKeys.title')}>
          <THead>
            <tr>
              <Th>{t('fields.name')}</Th>
              <Th>{t('apiKeys.scopes')}</Th>
              <Th>{t('apiKeys.lastUsed')}</Th>
              <Th>{t('apiKeys.expires')}</Th>
              <Th className="text-right">{t('common.actions')}</Th>
            </tr>
          </THead>
          <TBody>
            {keys.data.items.map((key) => (
              <Tr key={key.id} data-testid="api-key-row">
                <Td>
                  <div className="font-medium">{key.name}</div>
                  <div className="font-mono text-xs text-muted">{key.prefix}…</div>
                </Td>
                <Td>
                  <div className="flex max-w-xs flex-wrap gap-1">
                    {key.scopes.map((scopeName) => (
                      <Badge key={scopeName}>{scopeName}</Badge>
                    ))}
                  </div>
                </Td>
                <Td className="text-muted">{key.lastUsedAt ? formatDateTime(key.lastUsedAt, user.timezone) : t('apiKeys.never')}</Td>
                <Td className="text-muted">
                  {key.revokedAt ? <Badge tone="danger">{t('apiKeys.revoked')}</Badge> : key.expiresAt ? formatDate(key.expiresAt, user.timezone) : t('apiKeys.noExpiry')}
                </Td>
                <Td className="text-right">
                  {!key.revokedAt && (
                    <Button size="sm" variant="ghost-danger" onClick={() => setRevoking(key)} aria-label={t('apiKeys.revokeFor', { name: key.name })}>
                      {t('apiKeys.revoke')}
                    </Button>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      {creating && (
        <CreateKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
          }}
        />
      )}
      {created && <SecretDialog created={created} onClose={() => setCreated(null)} />}
      <Dialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('apiKeys.revokeTitle')}
        description={revoking ? t('apiKeys.revokeDescription', { name: revoking.name }) : undefined}
        footer={
          <>
            <Button variant="secondary" onClick={() => setRevoking(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              loading={busy}
              onClick={async () => {
                if (!revoking) return;
                setBusy(true);
                try {
                  await authApi.revokeApiKey(revoking.id);
                  toast.show(t('apiKeys.revokedToast', { name: revoking.name }), 'success');
                  setRevoking(null);
                  await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
                } catch (error) {
                  toast.show(describeError(error), 'error');
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('apiKeys.revoke')}
            </Button>
          </>
        }
      />
    </>
  );
}

function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (created: CreatedApiKey) => void }) {
  const { t } = useTranslation();
  const { scope } = useSession();
  const permissions = useQuery({ queryKey: ['permissions'], queryFn: authApi.permissions, staleTime: Infinity });
  const accounts = useQuery({ queryKey: ['accounts', 'active'], queryFn: () => tenancyApi.accounts({ status: 'active', limit: 100 }) });
  const form = useForm({
    initialValues: { name: '', scopes: [] as string[], expiresOn: '', accountId: scope?.accountId ?? '' },
    schema: createApiKeyBodySchema,
    toInput: (values) => ({
      name: values.name,
      scopes: values.scopes,
      // A date picked in the browser: the key stops working at the end of that day (local time).
      expiresAt: values.expiresOn ? new Date(`${values.expiresOn}T23:59:59`).toISOString() : null,
      accountId: values.accountId || null,
    }),
    onSubmit: async (body) => onCreated(await authApi.createApiKey(body)),
  });
  const toggle = (name: string, checked: boolean) =>
    form.setField('scopes', checked ? [...form.values.scopes, name] : form.values.scopes.filter((value) => value !== name));
  const available = (permissions.data?.items ?? []).filter((name) => !name.startsWith('platform:'));
  const today = new Date().toISOString().slice(0, 10);

  return (
    <Dialog
      open
      onClose={onClose}
      title={t('apiKeys.createTitle')}
      description={t('apiKeys.createDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form="api-key-form" loading={form.submitting}>
            {t('apiKeys.create')}
          </Button>
        </>
      }
    >
      <form id="api-key-form" onSubmit={form.handleSubmit} noValidate className="flex flex-col gap-4">
        <Field label={t('fields.name')} hint={t('apiKeys.nameHint')} error={form.errors.name}>
          <Input autoFocus value={form.values.name} onChange={(event) => form.setField('name', event.target.value)} />
        </Field>
        <fieldset aria-describedby={form.errors.scopes ? 'scopes-error' : undefined}>
          <legend className="mb-2 text-sm font-medium">{t('apiKeys.scopes')}</legend>
          {permissions.isPending ? (
            <p className="text-sm text-muted">{t('common.loading')}</p>
          ) : (
            <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
              {available.map((name) => (
                <Checkbox key={name} label={name} checked={form.values.scopes.includes(name)} onChange={(event) => toggle(name, event.target.checked)} />
              ))}
            </div>
          )}
          {form.errors.scopes && (
            <p id="scopes-error" role="alert" className="mt-1.5 text-xs font-medium text-danger">
              {form.errors.scopes}
            </p>
          )}
        </fieldset>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('apiKeys.expiresOn')} hint={t('apiKeys.expiresHint')} error={form.errors.expiresOn}>
            <Input type="date" min={today} value={form.values.expiresOn} onChange={(event) => form.setField('expiresOn', event.target.value)} />
          </Field>
          <Field label={t('fields.account')} hint={t('apiKeys.accountHint')} error={form.errors.accountId}>
            <Select value={form.values.accountId} onChange={(event) => form.setField('accountId', event.target.value)}>
              <option value="">{t('apiKeys.anyAccount')}</option>
              {accounts.data?.items.map((account) => (
                <option key={account.id} value={account.id}>
                  {account.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      </form>
    </Dialog>
  );
}

function SecretDialog({ created, onClose }: { created: CreatedApiKey; onClose: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const toast = useToast();
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('apiKeys.secretTitle', { name: created.apiKey.name })}
      description={t('apiKeys.secretDescription')}
      footer={<Button onClick={onClose}>{t('apiKeys.secretDone')}</Button>}
    >
      <div className="flex items-stretch gap-2">
        <code className="flex-1 break-all rounded-lg border border-border bg-surface-2 px-3 py-2 font-mono text-xs" data-testid="api-key-secret">
          {created.secret}
        </code>
        <Button
          variant="secondary"
          aria-label={t('apiKeys.copy')}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(created.secret);
              setCopied(true);
            } catch {
              toast.show(t('apiKeys.copyFailed'), 'error');
            }
          }}
        >
          {copied ? <CheckIcon /> : <CopyIcon />}
          <span aria-live="polite">{copied ? t('apiKeys.copied') : t('apiKeys.copy')}</span>
        </Button>
      </div>
    </Dialog>
  );
}
