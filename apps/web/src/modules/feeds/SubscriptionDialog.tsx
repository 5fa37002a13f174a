import type { FeedBackfill, FeedPreview, FeedSubscription } from '@omni/contracts/feeds';
import type { SocialConnection } from '@omni/contracts/social';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/api/errors';
import { formatDateTime } from '../../shared/lib/format';
import { Button, Checkbox, Dialog, Field, Input, Select } from '../../shared/ui';
import { contentApi } from '../content/contentApi';
import { feedsApi } from './feedsApi';
import { FormFooter } from './feedsShared';

/** The connections a feed's drafts go to: checkboxes over the account's connections. */
export function ConnectionPicker({ connections, selected, onChange }: { connections: SocialConnection[]; selected: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation();
  if (connections.length === 0) return <p className="text-sm text-muted">{t('feeds.noConnections')}</p>;
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{t('feeds.connections')}</legend>
      {connections.map((connection) => (
        <Checkbox
          key={connection.id}
          label={`${connection.destination.name} · ${connection.networkName}`}
          checked={selected.includes(connection.id)}
          onChange={(event) => onChange(event.target.checked ? [...selected, connection.id] : selected.filter((value) => value !== connection.id))}
        />
      ))}
    </fieldset>
  );
}

/** The content template drafts are written from (none: the article's title and link). */
export function TemplatePicker({ value, onChange }: { value: string | null; onChange: (templateId: string | null) => void }) {
  const { t } = useTranslation();
  const templates = useQuery({ queryKey: ['feeds', 'templates'], queryFn: contentApi.templates });
  const usable = (templates.data?.items ?? []).filter((template) => !template.archivedAt || template.id === value);
  return (
    <Field label={t('feeds.template')} hint={t('feeds.templateHint')}>
      <Select value={value ?? ''} onChange={(event) => onChange(event.target.value || null)} disabled={templates.isPending}>
        <option value="">{t('feeds.noTemplate')}</option>
        {usable.map((template) => (
          <option key={template.id} value={template.id}>
            {template.name}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** Add a feed (with a preview of what Omni reads there) or change one's interval and connections. */
export function SubscriptionDialog({
  subscription,
  connections,
  timeZone,
  onClose,
  onSaved,
}: {
  subscription: FeedSubscription | null;
  connections: SocialConnection[];
  timeZone: string;
  onClose: () => void;
  onSaved: (saved: FeedSubscription) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [url, setUrl] = useState(subscription?.url ?? '');
  const [pollInterval, setPollInterval] = useState(String(subscription?.pollIntervalMinutes ?? 30));
  const [backfill, setBackfill] = useState<FeedBackfill>(subscription?.backfill ?? 'none');
  const [connectionIds, setConnectionIds] = useState<string[]>(subscription?.connectionIds ?? []);
  const [templateId, setTemplateId] = useState<string | null>(subscription?.templateId ?? null);
  const [preview, setPreview] = useState<FeedPreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function runPreview() {
    setPreviewing(true);
    setError(null);
    try {
      setPreview(await feedsApi.preview(url.trim()));
    } catch (caught) {
      setPreview(null);
      setError(describeError(caught));
    } finally {
      setPreviewing(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={subscription ? t('feeds.editTitle') : t('feeds.addTitle')}
      description={subscription ? subscription.url : t('feeds.addDescription')}
      footer={<FormFooter formId="feed-subscription-form" submitLabel={subscription ? t('common.saveChanges') : t('feeds.add')} busy={busy} onCancel={onClose} />}
    >
      <form
        id="feed-subscription-form"
        noValidate
        className="flex flex-col gap-4"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const minutes = Number(pollInterval);
            const saved = subscription
              ? await feedsApi.updateSubscription(subscription.id, { pollIntervalMinutes: minutes, connectionIds, templateId })
              : await feedsApi.subscribe({ url: url.trim(), pollIntervalMinutes: minutes, backfill, connectionIds, templateId });
            await onSaved(saved);
          } catch (caught) {
            setError(describeError(caught));
          } finally {
            setBusy(false);
          }
        }}
      >
        {!subscription && (
          <Field label={t('feeds.url')} hint={t('feeds.urlHint')} error={error}>
            <Input autoFocus type="url" inputMode="url" value={url} onChange={(event) => setUrl(event.target.value)} placeholder="https://example.blogspot.com/feeds/posts/default" />
          </Field>
        )}
        {!subscription && (
          <div>
            <Button type="button" size="sm" variant="secondary" loading={previewing} disabled={!url.trim()} onClick={() => void runPreview()}>
              {t('feeds.preview')}
            </Button>
          </div>
        )}
        {preview && (
          <section aria-label={t('feeds.previewLabel')} className="rounded-lg border border-border p-3 text-sm">
            <div className="font-medium">
              {preview.title ?? preview.url} <span className="text-xs uppercase text-muted">{preview.format}</span>
            </div>
            {preview.entries.length === 0 ? (
              <p className="text-muted">{t('feeds.previewEmpty')}</p>
            ) : (
              <ul className="mt-2 flex flex-col gap-1">
                {preview.entries.slice(0, 5).map((entry) => (
                  <li key={entry.key} className="flex justify-between gap-3">
                    <span className="truncate">{entry.title}</span>
                    <span className="shrink-0 text-xs text-muted">{entry.publishedAt ? formatDateTime(entry.publishedAt, timeZone) : ''}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
        <Field label={t('feeds.interval')} hint={t('feeds.intervalHint')} error={subscription ? error : undefined}>
          <Input type="number" min={1} max={10080} value={pollInterval} onChange={(event) => setPollInterval(event.target.value)} className="max-w-40" />
        </Field>
        {!subscription && (
          <Field label={t('feeds.backfill')} hint={t('feeds.backfillHint')}>
            <Select value={backfill} onChange={(event) => setBackfill(event.target.value as FeedBackfill)}>
              <option value="none">{t('feeds.backfillNone')}</option>
              <option value="latest">{t('feeds.backfillLatest')}</option>
            </Select>
          </Field>
        )}
        <TemplatePicker value={templateId} onChange={setTemplateId} />
        <ConnectionPicker connections={connections} selected={connectionIds} onChange={setConnectionIds} />
      </form>
    </Dialog>
  );
}
