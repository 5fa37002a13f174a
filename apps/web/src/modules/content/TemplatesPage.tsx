import type { ContentTemplate, RenderedTemplate } from '@omni/contracts/content';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { Badge, Button, Checkbox, Dialog, EmptyState, Field, Input, PageHeader, Table, TableSkeleton, TBody, Td, Textarea, Th, THead, Tr, useToast } from '../../shared/ui';
import { PlusIcon, ScrollIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';
import { contentAccessOf, contentApi, type TemplateInput } from './contentApi';

const bodyNetworks = ['base', 'facebook', 'instagram', 'x', 'linkedin', 'pinterest'] as const;

type Editing = { template: ContentTemplate | null; input: TemplateInput };

const blank: TemplateInput = { name: '', category: null, tags: [], description: null, variables: [], bodies: { base: '' }, options: {}, linkTemplate: null };

/** /content/templates: templates by category, an editor with variables and per-network bodies, a preview with sample values. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const { scope } = useSession();
  const access = contentAccessOf(scope);
  const toast = useToast();
  const queryClient = useQueryClient();
  const templates = useQuery({ queryKey: ['content', 'templates'], queryFn: contentApi.templates, enabled: access.canRead && access.hasAccount });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [previewing, setPreviewing] = useState<ContentTemplate | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (!access.canRead) return <NoAccess />;

  async function act(key: string, run: () => Promise<unknown>, message: string) {
    setBusy(key);
    try {
      await run();
      toast.show(message, 'success');
      await queryClient.invalidateQueries({ queryKey: ['content', 'templates'] });
    } catch (error) {
      toast.show(describeError(error), 'error');
    } finally {
      setBusy(null);
    }
  }

  const addButton = access.canManageTemplates && access.hasAccount && (
    <Button onClick={() => setEditing({ template: null, input: blank })}>
      <PlusIcon /> {t('content.templates.new')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('content.templates.title')} description={t('content.templates.description')} actions={addButton} />
      {!access.hasAccount ? (
        <EmptyState title={t('content.chooseAccount')} description={t('content.chooseAccountDescription')} />
      ) : templates.isPending ? (
        <TableSkeleton columns={4} rows={3} />
      ) : templates.isError ? (
        <ErrorRow error={templates.error} retry={() => void templates.refetch()} />
      ) : templates.data.items.length === 0 ? (
        <EmptyState icon={<ScrollIcon className="size-6" />} title={t('content.templates.empty')} description={t('content.templates.emptyDescription')} action={addButton || undefined} />
      ) : (
        <Table caption={t('content.templates.title')}>
          <THead>
            <tr>
              <Th>{t('content.templates.name')}</Th>
              <Th>{t('content.templates.category')}</Th>
              <Th>{t('content.templates.variables')}</Th>
              <Th className="text-right">{t('common.actions')}</Th>
            </tr>
          </THead>
          <TBody>
            {templates.data.items.map((template) => (
              <Tr key={template.id} data-testid="template-row">
                <Td>
                  <div className="font-medium">{template.name}</div>
                  <div className="flex flex-wrap gap-1">
                    {template.accountId === null && <Badge tone="primary">{t('content.templates.shared')}</Badge>}
                    {template.archivedAt && <Badge>{t('content.templates.archived')}</Badge>}
                    {template.tags.map((tag) => (
                      <Badge key={tag}>{tag}</Badge>
                    ))}
                  </div>
                </Td>
                <Td className="text-muted">{template.category ?? '—'}</Td>
                <Td className="text-muted">{template.variables.map((variable) => variable.name).join(', ') || '—'}</Td>
                <Td className="text-right">
                  <div className="flex flex-wrap justify-end gap-2">
                    <Button size="sm" variant="secondary" onClick={() => setPreviewing(template)} aria-label={t('content.templates.previewFor', { name: template.name })}>
                      {t('content.templates.preview')}
                    </Button>
                    {access.canManageTemplates && (
                      <>
                        <Button size="sm" variant="ghost" onClick={() => setEditing({ template, input: template })} aria-label={t('content.templates.editFor', { name: template.name })}>
                          {t('content.templates.edit')}
                        </Button>
                        <Button size="sm" variant="ghost" loading={busy === `dup-${template.id}`} onClick={() => void act(`dup-${template.id}`, () => contentApi.duplicateTemplate(template.id), t('content.templates.duplicated'))}>
                          {t('content.templates.duplicate')}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => void act(`arc-${template.id}`, () => contentApi.updateTemplate(template.id, { archived: !template.archivedAt }), t('content.templates.savedToast'))}
                        >
                          {template.archivedAt ? t('content.templates.unarchive') : t('content.templates.archive')}
                        </Button>
                      </>
                    )}
                  </div>
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      {editing && (
        <TemplateDialog
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            setEditing(null);
            toast.show(t('content.templates.savedToast'), 'success');
            await queryClient.invalidateQueries({ queryKey: ['content', 'templates'] });
          }}
        />
      )}
      {previewing && <PreviewDialog template={previewing} onClose={() => setPreviewing(null)} />}
    </>
  );
}

function TemplateDialog({ editing, onClose, onSaved }: { editing: Editing; onClose: () => void; onSaved: () => Promise<void> }) {
  const { t } = useTranslation();
  const [input, setInput] = useState<TemplateInput>(editing.input);
  const [tags, setTags] = useState(editing.input.tags.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const setVariable = (index: number, change: Partial<TemplateInput['variables'][number]>) =>
    setInput({ ...input, variables: input.variables.map((variable, position) => (position === index ? { ...variable, ...change } : variable)) });

  async function save() {
    setSaving(true);
    setError(null);
    const body = { ...input, tags: tags.split(',').map((tag) => tag.trim()).filter(Boolean) };
    try {
      if (editing.template) await contentApi.updateTemplate(editing.template.id, body);
      else await contentApi.createTemplate(body);
      await onSaved();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={editing.template ? t('content.templates.editTitle') : t('content.templates.newTitle')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button loading={saving} onClick={() => void save()}>
            {t('common.save')}
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-3">
        {error && (
          <p role="alert" className="text-sm text-danger">
            {error}
          </p>
        )}
        <Field label={t('content.templates.name')}>
          <Input value={input.name} maxLength={120} onChange={(event) => setInput({ ...input, name: event.target.value })} />
        </Field>
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={t('content.templates.category')}>
            <Input value={input.category ?? ''} onChange={(event) => setInput({ ...input, category: event.target.value.trim() ? event.target.value : null })} />
          </Field>
          <Field label={t('content.templates.tags')}>
            <Input value={tags} onChange={(event) => setTags(event.target.value)} />
          </Field>
        </div>
        <fieldset className="flex flex-col gap-2">
          <legend className="text-sm font-medium">{t('content.templates.variables')}</legend>
          <p className="text-xs text-muted">{t('content.templates.variablesHint')}</p>
          {input.variables.map((variable, index) => (
            <div key={index} className="grid grid-cols-[1fr_1fr_1fr_auto_auto] items-end gap-2">
              <Field label={t('content.templates.variableName')}>
                <Input value={variable.name} onChange={(event) => setVariable(index, { name: event.target.value })} />
              </Field>
              <Field label={t('content.templates.variableLabel')}>
                <Input value={variable.label} onChange={(event) => setVariable(index, { label: event.target.value })} />
              </Field>
              <Field label={t('content.templates.variableDefault')}>
                <Input value={variable.default ?? ''} onChange={(event) => setVariable(index, { default: event.target.value || null })} />
              </Field>
              <Checkbox label={t('content.templates.required')} checked={variable.required} onChange={(event) => setVariable(index, { required: event.target.checked })} />
              <Button size="sm" variant="ghost-danger" onClick={() => setInput({ ...input, variables: input.variables.filter((_, position) => position !== index) })}>
                {t('content.templates.removeVariable')}
              </Button>
            </div>
          ))}
          <div>
            <Button size="sm" variant="secondary" onClick={() => setInput({ ...input, variables: [...input.variables, { name: '', label: '', default: null, required: false }] })}>
              {t('content.templates.addVariable')}
            </Button>
          </div>
        </fieldset>
        {bodyNetworks.map((network) => (
          <Field key={network} label={t('content.templates.body', { network: network === 'base' ? t('content.templates.baseBody') : network })}>
            <Textarea
              rows={network === 'base' ? 4 : 2}
              value={input.bodies[network] ?? ''}
              onChange={(event) => {
                const bodies = { ...input.bodies, [network]: event.target.value };
                if (network !== 'base' && !event.target.value) delete bodies[network];
                setInput({ ...input, bodies });
              }}
            />
          </Field>
        ))}
      </div>
    </Dialog>
  );
}

function PreviewDialog({ template, onClose }: { template: ContentTemplate; onClose: () => void }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<string, string>>(Object.fromEntries(template.variables.map((variable) => [variable.name, variable.default ?? ''])));
  const [rendered, setRendered] = useState<RenderedTemplate | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('content.templates.previewTitle', { name: template.name })}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.close')}
          </Button>
          <Button
            onClick={async () => {
              setError(null);
              try {
                setRendered(await contentApi.renderTemplate(template.id, values));
              } catch (caught) {
                setRendered(null);
                setError(describeError(caught));
              }
            }}
          >
            {t('content.templates.render')}
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-3">
        {template.variables.map((variable) => (
          <Field key={variable.name} label={`${variable.label}${variable.required ? ' *' : ''}`}>
            <Input value={values[variable.name] ?? ''} onChange={(event) => setValues({ ...values, [variable.name]: event.target.value })} />
          </Field>
        ))}
        {error && (
          <p role="alert" className="text-sm text-danger">
            {error}
          </p>
        )}
        {rendered &&
          Object.entries(rendered.bodies).map(([network, body]) => (
            <div key={network} data-testid="rendered-body">
              <h3 className="text-xs font-semibold uppercase text-muted">{network}</h3>
              <p className="whitespace-pre-wrap text-sm">{body}</p>
            </div>
          ))}
      </div>
    </Dialog>
  );
}
