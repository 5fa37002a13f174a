import { campaignStatusSchema, type CampaignStatus } from '@omni/contracts/campaigns';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDate } from '../../shared/lib/format';
import { Button, buttonClasses, EmptyState, Field, Input, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { PlusIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';
import { campaignFormValues, campaignsAccessOf, campaignsApi } from './campaignsApi';
import { SparkleIcon } from '../ai/components/aiShared';
import { CampaignStatusBadge, MegaphoneIcon, NetworkIcons } from './campaignsShared';
import { CampaignFormDialog } from './components/CampaignForm';

/** /campaigns: the account's campaigns, filtered by status and name, with "New campaign" and the AI studio. */
export function CampaignsPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = campaignsAccessOf(scope);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [status, setStatus] = useState<CampaignStatus | ''>('');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const campaigns = useQuery({
    queryKey: ['campaigns', 'list', status, search.trim()],
    queryFn: () => campaignsApi.list({ status, q: search.trim() || undefined, limit: 100 }),
    enabled: access.canRead && access.hasAccount,
    placeholderData: keepPreviousData,
  });
  if (!access.canRead) return <NoAccess />;

  const newButton = access.canWrite && access.hasAccount && (
    <Button onClick={() => setCreating(true)}>
      <PlusIcon /> {t('campaigns.new')}
    </Button>
  );
  const filtered = status !== '' || search.trim() !== '';

  return (
    <>
      <PageHeader
        title={t('campaigns.title')}
        description={t('campaigns.description')}
        actions={
          <>
            {access.canGenerate && access.hasAccount && (
              <Link to="/ai/studio" className={buttonClasses('secondary')}>
                <SparkleIcon /> {t('campaigns.openStudio')}
              </Link>
            )}
            {newButton}
          </>
        }
      />
      {!access.hasAccount ? (
        <EmptyState title={t('campaigns.chooseAccount')} description={t('campaigns.chooseAccountDescription')} />
      ) : (
        <>
          <div className="mb-4 grid gap-4 sm:grid-cols-2">
            <Field label={t('campaigns.status')}>
              <Select value={status} onChange={(event) => setStatus(event.target.value as CampaignStatus | '')}>
                <option value="">{t('common.all')}</option>
                {campaignStatusSchema.options.map((option) => (
                  <option key={option} value={option}>
                    {t(`campaigns.statuses.${option}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('campaigns.search')}>
              <Input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
            </Field>
          </div>
          {campaigns.isPending ? (
            <TableSkeleton columns={6} rows={4} />
          ) : campaigns.isError ? (
            <ErrorRow error={campaigns.error} retry={() => void campaigns.refetch()} />
          ) : campaigns.data.items.length === 0 ? (
            <EmptyState
              icon={<MegaphoneIcon className="size-6" />}
              title={filtered ? t('campaigns.emptyFiltered') : t('campaigns.empty')}
              description={filtered ? undefined : t('campaigns.emptyDescription')}
              action={filtered ? undefined : newButton || undefined}
            />
          ) : (
            <Table caption={t('campaigns.title')}>
              <THead>
                <tr>
                  <Th>{t('campaigns.campaign')}</Th>
                  <Th>{t('campaigns.status')}</Th>
                  <Th>{t('campaigns.dates')}</Th>
                  <Th>{t('campaigns.channels')}</Th>
                  <Th className="text-right">{t('campaigns.posts')}</Th>
                </tr>
              </THead>
              <TBody>
                {campaigns.data.items.map((campaign) => (
                  <Tr key={campaign.id} data-testid="campaign-row">
                    <Td>
                      <Link to="/campaigns/$campaignId" params={{ campaignId: campaign.id }} className="font-medium text-primary hover:underline">
                        {campaign.name}
                      </Link>
                      <div className="text-xs text-muted">{t(`campaigns.goals.${campaign.goal}`)}</div>
                    </Td>
                    <Td>
                      <CampaignStatusBadge status={campaign.status} />
                    </Td>
                    <Td className="whitespace-nowrap text-muted">{t('campaigns.dateRange', { from: formatDate(campaign.startsOn, 'UTC'), to: formatDate(campaign.endsOn, 'UTC') })}</Td>
                    <Td>
                      <NetworkIcons networks={campaign.channels} />
                    </Td>
                    <Td className="text-right tabular-nums">{campaign.postCount}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </>
      )}
      <CampaignFormDialog
        open={creating}
        onClose={() => setCreating(false)}
        formId="create-campaign"
        title={t('campaigns.createTitle')}
        description={t('campaigns.createDescription')}
        submitLabel={t('campaigns.create')}
        initial={campaignFormValues()}
        onSubmit={async (body) => {
          const created = await campaignsApi.create(body);
          setCreating(false);
          toast.show(t('campaigns.created', { name: created.name }), 'success');
          await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
          await navigate({ to: '/campaigns/$campaignId', params: { campaignId: created.id } });
        }}
      />
    </>
  );
}
