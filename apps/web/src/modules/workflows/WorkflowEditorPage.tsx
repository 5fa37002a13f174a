import type { AiWorkflowType } from '@omni/contracts/ai';
import { triggerNodeId, type DefinitionIssue, type Workflow, type WorkflowDefinition } from '@omni/contracts/workflows';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { ProblemError } from '../../shared/api';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { Badge, Button, Checkbox, Dialog, EmptyState, Field, Skeleton, Spinner, Textarea, useToast } from '../../shared/ui';
import { ErrorRow } from '../team/TeamPage';
import { StepPalette, StepPanel, TriggerPanel, WorkflowHeaderFields } from './components/NodePanel';
import { WorkflowCanvas } from './components/WorkflowCanvas';
import { emptyDefinition, localIssues, parseSampleInput, workflowStatusTone, workflowsAccessOf, workflowsApi, type StepKindInfo } from './workflowsApi';

type Draft = { name: string; description: string; workflowType: AiWorkflowType; definition: WorkflowDefinition };

const secretKey = (workflowId: string) => ['workflows', 'webhook-secret', workflowId] as const;

/** /workflows/new and /workflows/$workflowId: the visual editor. */
export function WorkflowEditorPage() {
  const { t } = useTranslation();
  const params = useParams({ strict: false }) as { workflowId?: string };
  const workflowId = params.workflowId ?? null;
  const { scope } = useSession();
  const access = workflowsAccessOf(scope);
  const stepKinds = useQuery({ queryKey: ['workflows', 'step-kinds'], queryFn: workflowsApi.stepKinds, enabled: access.canRead, staleTime: 5 * 60_000 });
  const workflow = useQuery({ queryKey: ['workflows', 'detail', workflowId], queryFn: () => workflowsApi.workflow(workflowId ?? ''), enabled: access.canRead && workflowId !== null, staleTime: Infinity, refetchOnWindowFocus: false });
  if (!access.canRead) return <NoAccess />;
  if (stepKinds.isError) return <ErrorRow error={stepKinds.error} retry={() => void stepKinds.refetch()} />;
  if (workflowId && workflow.isError) {
    if (workflow.error instanceof ProblemError && workflow.error.status === 404) return <EmptyState title={t('workflows.editor.notFound')} action={<Link to="/workflows">{t('workflows.editor.back')}</Link>} />;
    return <ErrorRow error={workflow.error} retry={() => void workflow.refetch()} />;
  }
  if (stepKinds.isPending || (workflowId && workflow.isPending)) {
    return (
      <div className="space-y-4" aria-busy="true">
        <Skeleton className="h-10 w-1/3" />
        <Skeleton className="h-[560px] w-full" />
      </div>
    );
  }
  const loaded = workflowId ? (workflow.data ?? null) : null;
  // Keyed on id and version: a save or a reload after a conflict starts from the server's copy; the
  // detail is never refetched behind the editor's back (it would drop unsaved edits).
  return <Editor key={`${workflowId ?? 'new'}:${loaded?.currentVersion ?? 0}`} workflow={loaded} stepKinds={stepKinds.data.items} canWrite={access.canWrite} canRun={access.canRun} />;
}

function draftOf(workflow: Workflow | null): Draft {
  if (!workflow) return { name: '', description: '', workflowType: 'content_generation', definition: emptyDefinition() };
  return { name: workflow.name, description: workflow.description, workflowType: workflow.workflowType, definition: workflow.definition };
}

function Editor({ workflow, stepKinds, canWrite, canRun }: { workflow: Workflow | null; stepKinds: StepKindInfo[]; canWrite: boolean; canRun: boolean }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const readOnly = !canWrite;
  const [saved, setSaved] = useState<Draft>(() => draftOf(workflow));
  const [draft, setDraft] = useState<Draft>(saved);
  const [selected, setSelected] = useState<string | null>(null);
  const [wantActive, setWantActive] = useState(workflow ? workflow.status === 'active' : true);
  const [serverIssues, setServerIssues] = useState<DefinitionIssue[]>(workflow?.validation.issues ?? []);
  const [checking, setChecking] = useState(false);
  const [conflict, setConflict] = useState<number | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [testing, setTesting] = useState<'test' | 'live' | null>(null);
  const [secret, setSecret] = useState<string | null>(() => (workflow ? (queryClient.getQueryData<string>(secretKey(workflow.id)) ?? null) : null));
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const definitionDirty = JSON.stringify(draft.definition) !== JSON.stringify(saved.definition);

  useEffect(() => {
    // The secret is shown once: forget the copy the create step left for this page.
    if (workflow) queryClient.removeQueries({ queryKey: secretKey(workflow.id) });
  }, [queryClient, workflow]);

  // Check the draft as it is drawn: on the server once the workflow exists (debounced), locally before.
  const local = useMemo(() => localIssues(draft.definition, stepKinds, (field) => t('workflows.panel.required', { field })), [draft.definition, stepKinds, t]);
  useEffect(() => {
    if (!workflow || !definitionDirty) {
      if (workflow) setServerIssues(workflow.validation.issues);
      return;
    }
    let cancelled = false;
    setChecking(true);
    const timer = setTimeout(() => {
      workflowsApi.validate(workflow.id, draft.definition).then(
        (report) => {
          if (!cancelled) setServerIssues(report.issues);
        },
        (error: unknown) => {
          if (!cancelled) toast.show(describeError(error), 'error');
        },
      ).finally(() => {
        if (!cancelled) setChecking(false);
      });
    }, 500);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [workflow, draft.definition, definitionDirty, toast]);
  const issues = workflow ? serverIssues : local;
  const valid = issues.length === 0;

  const setDefinition = (definition: WorkflowDefinition) => setDraft((current) => ({ ...current, definition }));

  const save = useMutation({
    mutationFn: async () => {
      if (draft.name.trim() === '') throw new Error('name');
      const active = wantActive && valid;
      if (!workflow) {
        return workflowsApi.create({ name: draft.name.trim(), description: draft.description.trim(), workflowType: draft.workflowType, definition: draft.definition, active });
      }
      return workflowsApi.update(workflow.id, {
        name: draft.name.trim(),
        description: draft.description.trim(),
        workflowType: draft.workflowType,
        status: active ? 'active' : 'paused',
        ...(definitionDirty ? { definition: draft.definition, expectedVersion: workflow.currentVersion } : {}),
      });
    },
    onSuccess: async (result) => {
      setNameError(null);
      if (result.webhookSecret) queryClient.setQueryData(secretKey(result.id), result.webhookSecret);
      toast.show(result.status === 'active' ? t('workflows.editor.saved', { version: result.currentVersion }) : t('workflows.editor.savedPaused', { version: result.currentVersion }), result.status === 'active' ? 'success' : 'info');
      await queryClient.invalidateQueries({ queryKey: ['workflows', 'list'] });
      if (!workflow) {
        queryClient.setQueryData(['workflows', 'detail', result.id], result);
        await navigate({ to: '/workflows/$workflowId', params: { workflowId: result.id }, replace: true });
        return;
      }
      // A new version remounts the editor from the server's copy (see the key above); a status or name change does not.
      setSaved(draft);
      queryClient.setQueryData(['workflows', 'detail', result.id], result);
    },
    onError: (error) => {
      if (error instanceof Error && error.message === 'name') {
        setNameError(t('workflows.editor.nameRequired'));
        return;
      }
      if (error instanceof ProblemError && error.code === 'workflows.version_conflict') {
        void workflowsApi.workflow(workflow?.id ?? '').then((latest) => setConflict(latest.currentVersion), () => setConflict(0));
        return;
      }
      if (error instanceof ProblemError && error.code === 'workflows.definition_invalid') setWantActive(false);
      toast.show(describeError(error), 'error');
    },
  });

  const rotate = useMutation({
    mutationFn: () => workflowsApi.rotateWebhookSecret(workflow?.id ?? ''),
    onSuccess: (result) => {
      setSecret(result.webhookSecret);
      toast.show(t('workflows.panel.rotated'), 'success');
    },
    onError: (error) => toast.show(describeError(error), 'error'),
  });

  const selectedNode = draft.definition.nodes.find((node) => node.id === selected) ?? null;
  const issuesOf = (nodeId: string) => issues.filter((issue) => (issue.nodeId ?? (issue.path.startsWith('trigger') ? triggerNodeId : null)) === nodeId);
  const savedWebhook = workflow?.definition.trigger.kind === 'webhook' && draft.definition.trigger.kind === 'webhook';

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <Link to="/workflows" className="text-sm text-primary hover:underline">
          ← {t('workflows.editor.back')}
        </Link>
        <h1 className="min-w-0 flex-1 truncate text-xl font-semibold">{workflow ? saved.name : t('workflows.editor.newTitle')}</h1>
        {workflow && (
          <>
            <Badge tone={workflowStatusTone(workflow.status)}>{t(`workflows.statuses.${workflow.status}`)}</Badge>
            <span data-testid="workflow-version">
              <Badge>{t('workflows.editor.versionBadge', { version: workflow.currentVersion })}</Badge>
            </span>
          </>
        )}
        {dirty && <Badge tone="warning">{t('workflows.editor.unsaved')}</Badge>}
        {workflow && canRun && (
          <Button variant="secondary" onClick={() => setTesting('test')}>
            {t('workflows.editor.testRun')}
          </Button>
        )}
        {workflow && canRun && workflow.status === 'active' && workflow.definition.trigger.kind === 'manual' && (
          <Button variant="secondary" onClick={() => setTesting('live')}>
            {t('workflows.live.button')}
          </Button>
        )}
        {canWrite && (
          <Button onClick={() => save.mutate()} disabled={save.isPending || (Boolean(workflow) && !dirty && (workflow?.status === 'active') === (wantActive && valid))}>
            {save.isPending ? t('workflows.editor.saving') : workflow ? t('workflows.editor.save') : t('workflows.editor.create')}
          </Button>
        )}
      </div>
      {conflict !== null && (
        <div role="alert" className="flex flex-wrap items-center gap-3 rounded-md border border-danger/40 bg-danger/10 p-3 text-sm text-danger">
          <span className="flex-1">{t('workflows.editor.conflict', { version: conflict || '?' })}</span>
          <Button size="sm" variant="secondary" onClick={() => void queryClient.invalidateQueries({ queryKey: ['workflows', 'detail', workflow?.id ?? null] })}>
            {t('workflows.editor.reload')}
          </Button>
        </div>
      )}
      {readOnly && <p className="text-sm text-muted">{t('workflows.editor.readOnly')}</p>}
      <WorkflowHeaderFields
        name={draft.name}
        description={draft.description}
        workflowType={draft.workflowType}
        readOnly={readOnly}
        nameError={nameError}
        onChange={(next) => {
          if (next.name !== undefined) setNameError(null);
          setDraft((current) => ({ ...current, ...next }));
        }}
      />
      {canWrite && (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <Checkbox label={t('workflows.editor.saveActive')} checked={wantActive && valid} disabled={!valid} onChange={(event) => setWantActive(event.target.checked)} />
          {!valid && <span className="text-warning" data-testid="saves-paused">{t('workflows.editor.invalidSavesPaused')}</span>}
        </div>
      )}
      {!readOnly && <StepPalette stepKinds={stepKinds} definition={draft.definition} onChange={setDefinition} onSelect={setSelected} />}
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_19rem]">
        <div className="space-y-3">
          <WorkflowCanvas
            className="h-[600px]"
            definition={draft.definition}
            stepKinds={stepKinds}
            readOnly={readOnly}
            issues={issues}
            selectedNodeId={selected}
            onChange={setDefinition}
            onSelect={setSelected}
          />
          <section aria-labelledby="workflow-issues" className="rounded-lg border border-border bg-surface p-3">
            <h2 id="workflow-issues" className="flex items-center gap-2 text-sm font-semibold">
              {t('workflows.editor.issues')} {checking && (
                <span className="inline-flex items-center gap-1 text-xs font-normal text-muted">
                  <Spinner className="size-3" /> {t('workflows.editor.validating')}
                </span>
              )}
            </h2>
            {valid ? (
              <p className="mt-1 text-sm text-success">{t('workflows.editor.valid')}</p>
            ) : (
              <ul className="mt-2 space-y-1" data-testid="issue-list">
                {issues.map((issue, index) => {
                  const nodeId = issue.nodeId ?? (issue.path.startsWith('trigger') ? triggerNodeId : null);
                  return (
                    <li key={index}>
                      <button type="button" className="w-full rounded px-2 py-1 text-left text-sm hover:bg-surface-2 disabled:cursor-default" disabled={!nodeId} onClick={() => nodeId && setSelected(nodeId)}>
                        <span className="font-mono text-xs text-muted">{nodeId ?? t('workflows.editor.issueWorkflow')}</span> <span className="text-danger">{issue.message}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
        </div>
        <aside className="self-start rounded-lg border border-border bg-surface p-4" aria-label={t('workflows.panel.step')}>
          {selected === triggerNodeId ? (
            <TriggerPanel
              definition={draft.definition}
              issues={issuesOf(triggerNodeId)}
              readOnly={readOnly}
              onChange={setDefinition}
              webhook={{ url: savedWebhook ? (workflow?.webhookUrl ?? null) : null, secret: savedWebhook ? secret : null, onRotate: canWrite && savedWebhook ? () => rotate.mutate() : undefined, rotating: rotate.isPending }}
            />
          ) : selectedNode ? (
            <StepPanel
              node={selectedNode}
              info={stepKinds.find((info) => info.kind === selectedNode.kind)}
              definition={draft.definition}
              issues={issuesOf(selectedNode.id)}
              readOnly={readOnly}
              onChange={setDefinition}
              onSelect={setSelected}
            />
          ) : (
            <p className="text-sm text-muted">{t('workflows.editor.selectHint')}</p>
          )}
        </aside>
      </div>
      {workflow && testing && <TestRunDialog key={testing} mode={testing} onClose={() => setTesting(null)} workflowId={workflow.id} dirty={dirty} />}
    </div>
  );
}

/** A test run (side effects recorded, not done) or, for manual workflows, a real run: both with input JSON. */
function TestRunDialog({ mode, onClose, workflowId, dirty }: { mode: 'test' | 'live'; onClose: () => void; workflowId: string; dirty: boolean }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const [text, setText] = useState('{\n  \n}');
  const parsed = parseSampleInput(text);
  const error = 'error' in parsed ? t(parsed.error === 'json' ? 'workflows.test.invalidJson' : 'workflows.test.notObject') : null;
  const start = useMutation({
    mutationFn: () => workflowsApi.startRun(workflowId, { input: 'input' in parsed ? parsed.input : {}, test: mode === 'test' }),
    onSuccess: async (run) => {
      toast.show(t(mode === 'test' ? 'workflows.test.started' : 'workflows.live.started'), 'success');
      onClose();
      await navigate({ to: '/workflows/runs/$runId', params: { runId: run.id } });
    },
    onError: (failure) => toast.show(describeError(failure), 'error'),
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={t(mode === 'test' ? 'workflows.test.title' : 'workflows.live.title')}
      description={t(mode === 'test' ? 'workflows.test.description' : 'workflows.live.description')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => start.mutate()} disabled={Boolean(error) || start.isPending}>
            {t(mode === 'test' ? 'workflows.test.start' : 'workflows.live.start')}
          </Button>
        </>
      }
    >
      {dirty && <p className="mb-3 rounded-md border border-warning/40 bg-warning/10 p-2 text-sm text-warning">{t(mode === 'test' ? 'workflows.test.saveFirst' : 'workflows.live.saveFirst')}</p>}
      <Field label={t('workflows.test.input')} hint={t('workflows.test.inputHint')} error={error}>
        <Textarea name="sampleInput" rows={8} className="font-mono text-xs" value={text} onChange={(event) => setText(event.target.value)} />
      </Field>
    </Dialog>
  );
}
