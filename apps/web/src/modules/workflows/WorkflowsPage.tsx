import { workflowStatusSchema, type Workflow, type WorkflowStatus, type WorkflowTrigger } from '@omni/contracts/workflows';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { ProblemError } from '../../shared/api';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Badge, Button, buttonClasses, Dialog, EmptyState, Field, Input, PageHeader, Select, Skeleton, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast } from '../../shared/ui';
import { ActivityIcon, PlusIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';
import { runStatusTone, workflowStatusTone, workflowsAccessOf, workflowsApi } from './workflowsApi';

const triggerKinds = ['manual', 'event', 'schedule', 'webhook'] as const satisfies ReadonlyArray<WorkflowTrigger['kind']>;

/** /workflows: the account's workflows with status, version, last run and problems; new, from template, pause, delete. */
export function WorkflowsPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = workflowsAccessOf(scope);
  const queryClient = useQueryClient();
  const toast = useToast();
  const [status, setStatus] = useState<WorkflowStatus | ''>('');
  const [trigger, setTrigger] = useState<WorkflowTrigger['kind'] | ''>('');
  const [search, setSearch] = useState('');
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [deleting, setDeleting] = useState<Workflow | null>(null);
  const workflows = useQuery({ queryKey: ['workflows', 'list'], queryFn: workflowsApi.list, enabled: access.canRead && access.hasAccount });
  const toggle = useMutation({
    mutationFn: (workflow: Workflow) => workflowsApi.update(workflow.id, { status: workflow.status === 'active' ? 'paused' : 'active' }),
    onSuccess: async (updated) => {
      toast.show(t(updated.status === 'active' ? 'workflows.activated' : 'workflows.paused', { name: updated.name }), 'success');
      await queryClient.invalidateQueries({ queryKey: ['workflows'] });
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });
  if (!access.canRead) return <NoAccess />;

  const actions = access.canWrite && access.hasAccount && (
    <>
      <Button variant="secondary" onClick={() => setTemplatesOpen(true)}>
        {t('workflows.fromTemplate')}
      </Button>
      <Link to="/workflows/new" className={buttonClasses('primary')}>
        <PlusIcon /> {t('workflows.new')}
      </Link>
    </>
  );
  const query = search.trim().toLowerCase();
  const items = (workflows.data?.items ?? []).filter(
    (workflow) => (status === '' || workflow.status === status) && (trigger === '' || workflow.definition.trigger.kind === trigger) && (query === '' || workflow.name.toLowerCase().includes(query)),
  );
  const filtered = status !== '' || trigger !== '' || query !== '';

  return (
    <>
      <PageHeader title={t('workflows.title')} description={t('workflows.description')} actions={actions || undefined} />
      {!access.hasAccount ? (
        <EmptyState title={t('campaigns.chooseAccount')} description={t('campaigns.chooseAccountDescription')} />
      ) : (
        <>
          <div className="mb-4 grid gap-4 sm:grid-cols-3">
            <Field label={t('workflows.status')}>
              <Select value={status} onChange={(event) => setStatus(event.target.value as WorkflowStatus | '')}>
                <option value="">{t('common.all')}</option>
                {workflowStatusSchema.options.map((option) => (
                  <option key={option} value={option}>
                    {t(`workflows.statuses.${option}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('workflows.triggerKind')}>
              <Select value={trigger} onChange={(event) => setTrigger(event.target.value as WorkflowTrigger['kind'] | '')}>
                <option value="">{t('common.all')}</option>
                {triggerKinds.map((kind) => (
                  <option key={kind} value={kind}>
                    {t(`workflows.triggerKinds.${kind}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('workflows.search')}>
              <Input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
            </Field>
          </div>
          {workflows.isPending ? (
            <TableSkeleton columns={6} rows={4} />
          ) : workflows.isError ? (
            <ErrorRow error={workflows.error} retry={() => void workflows.refetch()} />
          ) : items.length === 0 ? (
            <EmptyState
              icon={<ActivityIcon className="size-6" />}
              title={filtered ? t('workflows.emptyFiltered') : t('workflows.empty')}
              description={filtered ? undefined : t('workflows.emptyDescription')}
              action={filtered || !actions ? undefined : <div className="flex gap-2">{actions}</div>}
            />
          ) : (
            <Table caption={t('workflows.title')}>
              <THead>
                <tr>
                  <Th>{t('workflows.name')}</Th>
                  <Th>{t('workflows.triggerKind')}</Th>
                  <Th>{t('workflows.status')}</Th>
                  <Th>{t('workflows.version')}</Th>
                  <Th>{t('workflows.lastRun')}</Th>
                  <Th>{t('workflows.problems')}</Th>
                  {access.canWrite && <Th className="text-right">{t('common.actions')}</Th>}
                </tr>
              </THead>
              <TBody>
                {items.map((workflow) => (
                  <Tr key={workflow.id} data-testid="workflow-row">
                    <Td>
                      <Link to="/workflows/$workflowId" params={{ workflowId: workflow.id }} className="font-medium text-primary hover:underline">
                        {workflow.name}
                      </Link>
                      {workflow.description && <div className="max-w-md truncate text-xs text-muted">{workflow.description}</div>}
                    </Td>
                    <Td>{t(`workflows.triggerKinds.${workflow.definition.trigger.kind}`)}</Td>
                    <Td>
                      <Badge tone={workflowStatusTone(workflow.status)}>{t(`workflows.statuses.${workflow.status}`)}</Badge>
                    </Td>
                    <Td className="tabular-nums">{t('workflows.versionValue', { version: workflow.currentVersion })}</Td>
                    <Td className="whitespace-nowrap">
                      {workflow.lastRun ? (
                        <Link to="/workflows/runs/$runId" params={{ runId: workflow.lastRun.id }} className="inline-flex items-center gap-2 hover:underline">
                          <Badge tone={runStatusTone(workflow.lastRun.status)}>{t(`workflows.runStatuses.${workflow.lastRun.status}`, { defaultValue: workflow.lastRun.status })}</Badge>
                          <span className="text-xs text-muted">{formatDateTime(workflow.lastRun.startedAt)}</span>
                        </Link>
                      ) : (
                        <span className="text-muted">{t('workflows.never')}</span>
                      )}
                    </Td>
                    <Td>
                      {workflow.validation.issues.length > 0 ? (
                        <Badge tone="danger">{t('workflows.problemCount', { count: workflow.validation.issues.length })}</Badge>
                      ) : (
                        <span className="text-muted">{t('workflows.noProblems')}</span>
                      )}
                    </Td>
                    {access.canWrite && (
                      <Td className="whitespace-nowrap text-right">
                        {workflow.status !== 'archived' && (
                          <Button size="sm" variant="ghost" disabled={toggle.isPending || (workflow.status === 'paused' && !workflow.validation.ok)} onClick={() => toggle.mutate(workflow)}>
                            {workflow.status === 'active' ? t('workflows.pause') : t('workflows.activate')}
                          </Button>
                        )}
                        <Button size="sm" variant="ghost-danger" onClick={() => setDeleting(workflow)}>
                          {t('workflows.delete')}
                        </Button>
                      </Td>
                    )}
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </>
      )}
      <TemplatesDialog open={templatesOpen} onClose={() => setTemplatesOpen(false)} />
      <DeleteDialog workflow={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}

function DeleteDialog({ workflow, onClose }: { workflow: Workflow | null; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (target: Workflow) => workflowsApi.remove(target.id),
    onSuccess: async (_, target) => {
      toast.show(t('workflows.deleted', { name: target.name }), 'success');
      onClose();
      await queryClient.invalidateQueries({ queryKey: ['workflows'] });
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  const unfinished = remove.error instanceof ProblemError && remove.error.code === 'workflows.runs_unfinished';
  return (
    <Dialog
      open={workflow !== null}
      onClose={close}
      title={t('workflows.deleteTitle', { name: workflow?.name ?? '' })}
      description={t('workflows.deleteDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" disabled={remove.isPending || unfinished} onClick={() => workflow && remove.mutate(workflow)}>
            {t('workflows.delete')}
          </Button>
        </>
      }
    >
      {remove.isError && (
        <div role="alert" className="space-y-2 rounded-md border border-danger/40 bg-danger/10 p-3 text-sm text-danger">
          <p>{unfinished ? t('workflows.runsUnfinished') : describeError(remove.error)}</p>
          {unfinished && (
            <Link to="/workflows/runs" className={buttonClasses('secondary', 'sm')}>
              {t('workflows.openRuns')}
            </Link>
          )}
        </div>
      )}
    </Dialog>
  );
}

function TemplatesDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const templates = useQuery({ queryKey: ['workflows', 'templates'], queryFn: workflowsApi.templates, enabled: open, staleTime: 5 * 60_000 });
  const install = useMutation({
    mutationFn: (templateId: string) => workflowsApi.installTemplate(templateId),
    onSuccess: async (workflow) => {
      if (workflow.webhookSecret) queryClient.setQueryData(['workflows', 'webhook-secret', workflow.id], workflow.webhookSecret);
      queryClient.setQueryData(['workflows', 'detail', workflow.id], workflow);
      toast.show(t(workflow.status === 'active' ? 'workflows.installed' : 'workflows.installedPaused', { name: workflow.name }), workflow.status === 'active' ? 'success' : 'info');
      onClose();
      await queryClient.invalidateQueries({ queryKey: ['workflows', 'list'] });
      await navigate({ to: '/workflows/$workflowId', params: { workflowId: workflow.id } });
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });
  return (
    <Dialog open={open} onClose={onClose} title={t('workflows.templatesTitle')} description={t('workflows.templatesDescription')} className="max-w-2xl">
      {templates.isPending ? (
        <div className="space-y-2">
          <Skeleton className="h-16 w-full" />
          <Skeleton className="h-16 w-full" />
        </div>
      ) : templates.isError ? (
        <ErrorRow error={templates.error} retry={() => void templates.refetch()} />
      ) : templates.data.items.length === 0 ? (
        <p className="text-sm text-muted">{t('workflows.templatesEmpty')}</p>
      ) : (
        <ul className="space-y-3" data-testid="template-list">
          {templates.data.items.map((template) => (
            <li key={template.id} className="flex flex-wrap items-start gap-3 rounded-md border border-border p-3">
              <div className="min-w-0 flex-1 space-y-1">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">{template.name}</span>
                  <Badge tone="primary">{t(`workflows.industries.${template.industry}`)}</Badge>
                  <Badge>{t(`workflows.triggerKinds.${template.definition.trigger.kind}`)}</Badge>
                </div>
                <p className="text-sm text-muted">{template.description}</p>
              </div>
              <Button size="sm" disabled={install.isPending} onClick={() => install.mutate(template.id)}>
                {t('workflows.install')}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
