import { aiWorkflowTypeSchema } from '@omni/contracts/ai';
import { triggerEventTypeSchema, type DefinitionIssue, type WorkflowDefinition, type WorkflowNode, type WorkflowTrigger } from '@omni/contracts/workflows';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Field, Input, Select, Textarea, useToast } from '../../../shared/ui';
import { CopyIcon } from '../../../shared/ui/icons';
import { addStepNode, removeElements, renameNode, triggerOfKind, updateNode, workflowsApi, type JsonSchema, type StepKindInfo } from '../workflowsApi';
import { SchemaFields } from './SchemaForm';
import { StepKindIcon, stepKindDragType } from './WorkflowCanvas';

/** Field errors of a step from its issues (paths like nodes.2.config.expression → expression). */
function fieldErrorsOf(issues: DefinitionIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const match = /(?:^|\.)config\.([^.]+)/.exec(issue.path) ?? /^trigger\.([^.]+)/.exec(issue.path);
    if (match?.[1] && !errors[match[1]]) errors[match[1]] = issue.message;
  }
  return errors;
}

/** The step kinds to drag onto the canvas or click to add (a row of chips above the canvas). */
export function StepPalette({ stepKinds, definition, onChange, onSelect }: { stepKinds: StepKindInfo[]; definition: WorkflowDefinition; onChange: (definition: WorkflowDefinition) => void; onSelect: (nodeId: string) => void }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="workflow-palette" className="space-y-2">
      <div className="flex flex-wrap items-baseline gap-x-2">
        <h2 id="workflow-palette" className="text-sm font-semibold">
          {t('workflows.editor.palette')}
        </h2>
        <p className="text-xs text-muted">{t('workflows.editor.paletteHint')}</p>
      </div>
      <ul className="flex flex-wrap gap-1.5">
        {stepKinds.map((info) => (
          <li key={info.kind}>
            <button
              type="button"
              draggable
              data-testid={`palette-${info.kind}`}
              title={t(`workflows.kindHints.${info.kind}`)}
              aria-label={t('workflows.editor.add', { kind: t(`workflows.kinds.${info.kind}`) })}
              onDragStart={(event: DragEvent) => {
                event.dataTransfer.setData(stepKindDragType, info.kind);
                event.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => {
                const added = addStepNode(definition, info.kind);
                onChange(added.definition);
                onSelect(added.nodeId);
              }}
              className="inline-flex cursor-grab items-center gap-1.5 rounded-full border border-border bg-surface px-2.5 py-1 text-sm hover:border-primary/60 hover:bg-surface-2 focus-visible:outline-2 focus-visible:outline-primary"
            >
              <span className="text-primary">
                <StepKindIcon kind={info.kind} />
              </span>
              {t(`workflows.kinds.${info.kind}`)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function StepIdField({ node, definition, onChange, onSelect, disabled }: { node: WorkflowNode; definition: WorkflowDefinition; onChange: (definition: WorkflowDefinition) => void; onSelect: (nodeId: string) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(node.id);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(node.id);
    setError(null);
  }, [node.id]);
  const commit = () => {
    const result = renameNode(definition, node.id, draft.trim());
    if ('error' in result) {
      setError(t(result.error === 'pattern' ? 'workflows.panel.idPattern' : 'workflows.panel.idTaken'));
      return;
    }
    setError(null);
    if (draft.trim() !== node.id) {
      onChange(result.definition);
      onSelect(draft.trim());
    }
  };
  return (
    <Field label={t('workflows.panel.id')} hint={t('workflows.panel.idHint')} error={error}>
      <Input
        name="nodeId"
        className="font-mono"
        value={draft}
        disabled={disabled}
        onChange={(event) => {
          setDraft(event.target.value);
          const result = renameNode(definition, node.id, event.target.value.trim());
          setError('error' in result ? t(result.error === 'pattern' ? 'workflows.panel.idPattern' : 'workflows.panel.idTaken') : null);
        }}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
        }}
      />
    </Field>
  );
}

/** The side panel of a selected step: id, label, its kind's config form and retries. */
export function StepPanel({
  node,
  info,
  definition,
  issues,
  readOnly,
  onChange,
  onSelect,
}: {
  node: WorkflowNode;
  info: StepKindInfo | undefined;
  definition: WorkflowDefinition;
  issues: DefinitionIssue[];
  readOnly: boolean;
  onChange: (definition: WorkflowDefinition) => void;
  onSelect: (nodeId: string | null) => void;
}) {
  const { t } = useTranslation();
  const change = (update: (current: WorkflowNode) => WorkflowNode) => onChange(updateNode(definition, node.id, update));
  const general = issues.filter((issue) => !/(?:^|\.)config\.[^.]+/.test(issue.path));
  const actions = useQuery({ queryKey: ['workflows', 'actions'], queryFn: workflowsApi.actions, enabled: node.kind === 'update_record', staleTime: 5 * 60_000 });
  const action = actions.data?.items.find((item) => item.name === node.config.action);
  return (
    <fieldset disabled={readOnly} className="min-w-0 space-y-4" data-testid="step-panel">
      <div className="flex items-center gap-2">
        <span className="text-primary">
          <StepKindIcon kind={node.kind} />
        </span>
        <h2 className="text-sm font-semibold">{t(`workflows.kinds.${node.kind}`)}</h2>
      </div>
      {general.length > 0 && (
        <ul className="space-y-1 rounded-md border border-danger/40 bg-danger/10 p-2 text-xs text-danger">
          {general.map((issue, index) => (
            <li key={index}>{issue.message}</li>
          ))}
        </ul>
      )}
      <StepIdField node={node} definition={definition} onChange={onChange} onSelect={onSelect} disabled={readOnly} />
      <Field label={t('workflows.panel.label')}>
        <Input name="label" value={node.label} maxLength={120} onChange={(event) => change((current) => ({ ...current, label: event.target.value }))} />
      </Field>
      <section className="space-y-3">
        <h3 className="text-sm font-semibold">{t('workflows.panel.config')}</h3>
        {info && (
          <SchemaFields
            key={node.id}
            pathPrefix={`config-${node.id}`}
            schema={info.configSchema as JsonSchema}
            value={node.config}
            errors={fieldErrorsOf(issues)}
            suggestions={actions.data ? { action: actions.data.items.map((item) => item.name) } : undefined}
            onChange={(config) => change((current) => ({ ...current, config }))}
          />
        )}
        {action && <p className="text-xs text-muted">{action.description}</p>}
      </section>
      <section className="space-y-3">
        <h3 className="text-sm font-semibold">{t('workflows.panel.retry')}</h3>
        <div className="grid grid-cols-2 gap-3">
          <Field label={t('workflows.panel.maxAttempts')}>
            <Input
              type="number"
              min={1}
              max={10}
              value={node.retry.maxAttempts}
              onChange={(event) => change((current) => ({ ...current, retry: { ...current.retry, maxAttempts: Math.min(10, Math.max(1, Math.round(Number(event.target.value) || 1))) } }))}
            />
          </Field>
          <Field label={t('workflows.panel.backoffSeconds')}>
            <Input
              type="number"
              min={1}
              max={3600}
              value={node.retry.backoffSeconds}
              onChange={(event) => change((current) => ({ ...current, retry: { ...current.retry, backoffSeconds: Math.min(3600, Math.max(1, Math.round(Number(event.target.value) || 1))) } }))}
            />
          </Field>
        </div>
      </section>
      {!readOnly && (
        <Button
          type="button"
          variant="ghost-danger"
          size="sm"
          onClick={() => {
            onChange(removeElements(definition, [node.id], []));
            onSelect(null);
          }}
        >
          {t('workflows.panel.removeStep')}
        </Button>
      )}
    </fieldset>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  return (
    <Button
      type="button"
      size="sm"
      variant="secondary"
      onClick={() => {
        void navigator.clipboard.writeText(text).then(
          () => toast.show(t('workflows.panel.copied'), 'success'),
          () => toast.show(text, 'info'),
        );
      }}
    >
      <CopyIcon /> {t('workflows.panel.copy')}
    </Button>
  );
}

export type WebhookInfo = { url: string | null; secret: string | null; onRotate?: () => void; rotating?: boolean };

/** The side panel of the trigger: its kind and that kind's fields (event + filter, cron + zone, webhook URL and secret). */
export function TriggerPanel({ definition, issues, readOnly, onChange, webhook }: { definition: WorkflowDefinition; issues: DefinitionIssue[]; readOnly: boolean; onChange: (definition: WorkflowDefinition) => void; webhook: WebhookInfo }) {
  const { t } = useTranslation();
  const trigger = definition.trigger;
  const errors = fieldErrorsOf(issues);
  const set = (next: WorkflowTrigger) => onChange({ ...definition, trigger: next });
  return (
    <fieldset disabled={readOnly} className="min-w-0 space-y-4" data-testid="trigger-panel">
      <div className="flex items-center gap-2">
        <span className="text-primary">
          <StepKindIcon kind="trigger" />
        </span>
        <h2 className="text-sm font-semibold">{t('workflows.trigger')}</h2>
      </div>
      <Field label={t('workflows.panel.triggerKind')}>
        <Select name="triggerKind" value={trigger.kind} onChange={(event) => set(triggerOfKind(event.target.value as WorkflowTrigger['kind']))}>
          {(['manual', 'event', 'schedule', 'webhook'] as const).map((kind) => (
            <option key={kind} value={kind}>
              {t(`workflows.triggerKinds.${kind}`)}
            </option>
          ))}
        </Select>
      </Field>
      {trigger.kind === 'manual' && <p className="text-sm text-muted">{t('workflows.panel.manualHint')}</p>}
      {trigger.kind === 'event' && (
        <>
          <Field label={t('workflows.panel.eventType')} error={errors.eventType}>
            <Select name="eventType" value={trigger.eventType} onChange={(event) => set({ ...trigger, eventType: triggerEventTypeSchema.parse(event.target.value) })}>
              {triggerEventTypeSchema.options.map((eventType) => (
                <option key={eventType} value={eventType}>
                  {t(`workflows.events.${eventType}`)} ({eventType})
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('workflows.panel.filter')} hint={t('workflows.panel.filterHint')} error={errors.filter}>
            <Textarea name="filter" rows={3} className="font-mono text-xs" value={trigger.filter ?? ''} onChange={(event) => set({ ...trigger, filter: event.target.value === '' ? null : event.target.value })} />
          </Field>
        </>
      )}
      {trigger.kind === 'schedule' && (
        <>
          <Field label={t('workflows.panel.cron')} hint={t('workflows.panel.cronHint')} error={errors.cron}>
            <Input name="cron" className="font-mono" value={trigger.cron} onChange={(event) => set({ ...trigger, cron: event.target.value })} />
          </Field>
          <Field label={t('workflows.panel.timezone')} error={errors.timezone}>
            <Input name="timezone" list="workflow-timezones" value={trigger.timezone} onChange={(event) => set({ ...trigger, timezone: event.target.value })} />
          </Field>
          <datalist id="workflow-timezones">
            {Intl.supportedValuesOf('timeZone').map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </>
      )}
      {trigger.kind === 'webhook' && (
        <div className="space-y-3">
          {webhook.url ? (
            <>
              <Field label={t('workflows.panel.webhookUrl')} hint={t('workflows.panel.webhookHint')}>
                <Input readOnly value={webhook.url} className="font-mono text-xs" />
              </Field>
              <div className="flex flex-wrap gap-2">
                <CopyButton text={webhook.url} />
                {webhook.onRotate && (
                  <Button type="button" size="sm" variant="secondary" disabled={webhook.rotating} onClick={webhook.onRotate}>
                    {t('workflows.panel.rotate')}
                  </Button>
                )}
              </div>
            </>
          ) : (
            <p className="text-sm text-muted">{t('workflows.panel.webhookUnsaved')}</p>
          )}
          {webhook.secret && (
            <div className="space-y-2 rounded-md border border-warning/40 bg-warning/10 p-3" data-testid="webhook-secret">
              <p className="text-sm font-medium">{t('workflows.panel.webhookSecret')}</p>
              <code className="block break-all text-xs">{webhook.secret}</code>
              <p className="text-xs text-muted">{t('workflows.panel.webhookSecretOnce')}</p>
              <CopyButton text={webhook.secret} />
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}

/** Name, description and workflow type, above the canvas. */
export function WorkflowHeaderFields({
  name,
  description,
  workflowType,
  readOnly,
  onChange,
  nameError,
}: {
  name: string;
  description: string;
  workflowType: string;
  readOnly: boolean;
  nameError?: string | null;
  onChange: (next: { name?: string; description?: string; workflowType?: (typeof aiWorkflowTypeSchema.options)[number] }) => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset disabled={readOnly} className="grid gap-3 md:grid-cols-[2fr_3fr_1.5fr]">
      <Field label={t('workflows.editor.name')} error={nameError}>
        <Input name="workflowName" value={name} maxLength={200} onChange={(event) => onChange({ name: event.target.value })} />
      </Field>
      <Field label={t('workflows.editor.description')}>
        <Input name="workflowDescription" value={description} maxLength={2000} onChange={(event) => onChange({ description: event.target.value })} />
      </Field>
      <Field label={t('workflows.editor.workflowType')} hint={t('workflows.editor.workflowTypeHint')}>
        <Select name="workflowType" value={workflowType} onChange={(event) => onChange({ workflowType: aiWorkflowTypeSchema.parse(event.target.value) })}>
          {aiWorkflowTypeSchema.options.map((type) => (
            <option key={type} value={type}>
              {t(`ai.workflowTypes.${type}`)}
            </option>
          ))}
        </Select>
      </Field>
    </fieldset>
  );
}
