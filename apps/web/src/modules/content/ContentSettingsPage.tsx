import type { ContentNetwork, UpdateContentSettingsBody } from '@omni/contracts/content';
import { networkRules } from '@omni/contracts/network-rules';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { Button, Card, CardBody, Checkbox, EmptyState, Field, Input, PageHeader, Select, Skeleton, useToast } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { contentAccessOf, contentApi } from './contentApi';

const networks: ContentNetwork[] = ['facebook', 'instagram', 'x', 'linkedin', 'pinterest', 'sandbox'];

/** /settings/content: approval policy, client approval, minimum gap, daily caps, A/B default gap (account admins change them). */
export function ContentSettingsPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = contentAccessOf(scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['content', 'settings'], queryFn: contentApi.settings, enabled: access.canRead && access.hasAccount });
  const [form, setForm] = useState<UpdateContentSettingsBody | null>(null);
  const [caps, setCaps] = useState<Partial<Record<ContentNetwork, string>>>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (settings.data) {
      const { approvalPolicy, clientApprovalRequired, minGapMinutes, dailyCaps, abDefaultGapMinutes } = settings.data;
      setForm({ approvalPolicy, clientApprovalRequired, minGapMinutes, dailyCaps, abDefaultGapMinutes });
      setCaps(Object.fromEntries(Object.entries(dailyCaps).map(([network, cap]) => [network, String(cap)])));
    }
  }, [settings.data]);

  if (!access.canRead) return <NoAccess />;
  if (!access.hasAccount) return <EmptyState title={t('content.chooseAccount')} description={t('content.chooseAccountDescription')} />;
  if (settings.isError) return <ErrorRow error={settings.error} retry={() => void settings.refetch()} />;
  if (!form) return <Skeleton className="h-64" />;
  const readOnly = !access.canManageSettings;

  async function save() {
    if (!form) return;
    setSaving(true);
    try {
      const dailyCaps = Object.fromEntries(Object.entries(caps).filter(([, value]) => value && value.trim()).map(([network, value]) => [network, Number(value)]));
      await contentApi.updateSettings({ ...form, dailyCaps });
      toast.show(t('content.settings.saved'), 'success');
      await queryClient.invalidateQueries({ queryKey: ['content', 'settings'] });
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <PageHeader title={t('content.settings.title')} description={t('content.settings.description', { zone: settings.data?.timeZone ?? t('content.settings.noZone') })} />
      <Card>
        <CardBody className="flex flex-col gap-4">
          <Field label={t('content.settings.policy')} hint={t(`content.settings.policyHints.${form.approvalPolicy}`)}>
            <Select value={form.approvalPolicy} disabled={readOnly} onChange={(event) => setForm({ ...form, approvalPolicy: event.target.value as UpdateContentSettingsBody['approvalPolicy'] })}>
              <option value="contributors">{t('content.settings.policies.contributors')}</option>
              <option value="everyone">{t('content.settings.policies.everyone')}</option>
            </Select>
          </Field>
          <Checkbox label={t('content.settings.clientApproval')} checked={form.clientApprovalRequired} disabled={readOnly} onChange={(event) => setForm({ ...form, clientApprovalRequired: event.target.checked })} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label={t('content.settings.minGap')} hint={t('content.settings.minGapHint')}>
              <Input type="number" min={0} max={1440} value={form.minGapMinutes} disabled={readOnly} onChange={(event) => setForm({ ...form, minGapMinutes: Number(event.target.value) })} />
            </Field>
            <Field label={t('content.settings.abGap')} hint={t('content.settings.abGapHint')}>
              <Input type="number" min={1} max={20160} value={form.abDefaultGapMinutes} disabled={readOnly} onChange={(event) => setForm({ ...form, abDefaultGapMinutes: Number(event.target.value) })} />
            </Field>
          </div>
          <fieldset className="grid gap-4 sm:grid-cols-3" disabled={readOnly}>
            <legend className="mb-2 text-sm font-medium">{t('content.settings.dailyCaps')}</legend>
            {networks.map((network) => (
              <Field key={network} label={networkRules[network].displayName}>
                <Input type="number" min={1} max={500} placeholder={t('content.settings.noCap')} value={caps[network] ?? ''} onChange={(event) => setCaps({ ...caps, [network]: event.target.value })} />
              </Field>
            ))}
          </fieldset>
          {!readOnly && (
            <div>
              <Button loading={saving} onClick={() => void save()}>
                {t('common.saveChanges')}
              </Button>
            </div>
          )}
        </CardBody>
      </Card>
    </>
  );
}
