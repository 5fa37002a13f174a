import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Checkbox, Field, Input, Select, Textarea } from '../../../shared/ui';
import { fieldControlOf, unwrapNullable, type JsonSchema } from '../workflowsApi';

type Value = Record<string, unknown>;

/** A label from a field name: maxAttempts → "Max attempts". */
function labelOf(name: string): string {
  const words = name.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Translate = ReturnType<typeof useTranslation>['t'];

/** A config field's label: translated when the console knows the field, else its name in words. */
function fieldLabel(t: Translate, name: string): string {
  return t(`workflows.fields.${name}`, { defaultValue: labelOf(name) });
}

/** A choice of a config field: translated when the console knows it (a workflow type, a role, a unit…), else as the server sends it. */
function optionLabel(t: Translate, option: unknown): string {
  const value = String(option);
  return t(`workflows.values.${value}`, { defaultValue: t(`ai.workflowTypes.${value}`, { defaultValue: value }) });
}

function StringList({ id, value, onChange, options }: { id: string; value: unknown; onChange: (next: string[]) => void; options?: unknown[] }) {
  const { t } = useTranslation();
  const items = Array.isArray(value) ? value.map(String) : [];
  return (
    <div id={id} className="space-y-2">
      {items.map((item, index) => (
        <div key={index} className="flex gap-2">
          {options ? (
            <Select aria-label={`${id} ${index + 1}`} value={item} onChange={(event) => onChange(items.map((entry, at) => (at === index ? event.target.value : entry)))}>
              {options.map((option) => (
                <option key={String(option)} value={String(option)}>
                  {optionLabel(t, option)}
                </option>
              ))}
            </Select>
          ) : (
            <Input aria-label={`${id} ${index + 1}`} value={item} onChange={(event) => onChange(items.map((entry, at) => (at === index ? event.target.value : entry)))} />
          )}
          <Button type="button" size="sm" variant="ghost-danger" onClick={() => onChange(items.filter((_, at) => at !== index))}>
            {t('workflows.panel.removeItem')}
          </Button>
        </div>
      ))}
      <Button type="button" size="sm" variant="secondary" onClick={() => onChange([...items, options ? String(options[0] ?? '') : ''])}>
        {t('workflows.panel.addItem')}
      </Button>
    </div>
  );
}

function StringMap({ id, value, onChange }: { id: string; value: unknown; onChange: (next: Record<string, string>) => void }) {
  const { t } = useTranslation();
  // Rows live locally so that a half-typed (empty or duplicate) key does not drop the row.
  const fromValue = () => Object.entries(value && typeof value === 'object' ? (value as Record<string, unknown>) : {}).map(([key, entry]) => [key, typeof entry === 'string' ? entry : JSON.stringify(entry)] as [string, string]);
  const [rows, setRows] = useState<Array<[string, string]>>(fromValue);
  // Only an outside change (another node, a reload) resets the rows: compare with what the rows produce.
  const serialized = JSON.stringify(value ?? {});
  const [seen, setSeen] = useState(serialized);
  if (seen !== serialized) {
    setSeen(serialized);
    if (JSON.stringify(Object.fromEntries(rows.filter(([key]) => key !== ''))) !== serialized) setRows(fromValue());
  }
  const update = (next: Array<[string, string]>) => {
    setRows(next);
    onChange(Object.fromEntries(next.filter(([key]) => key !== '')));
  };
  return (
    <div id={id} className="space-y-2">
      {rows.map(([key, entry], index) => (
        <div key={index} className="grid grid-cols-[2fr_3fr_auto] gap-2">
          <Input aria-label={`${t('workflows.panel.key')} ${index + 1}`} placeholder={t('workflows.panel.key')} value={key} onChange={(event) => update(rows.map((row, at) => (at === index ? [event.target.value, row[1]] : row)))} />
          <Input aria-label={`${t('workflows.panel.value')} ${index + 1}`} placeholder={t('workflows.panel.value')} value={entry} onChange={(event) => update(rows.map((row, at) => (at === index ? [row[0], event.target.value] : row)))} />
          <Button type="button" size="sm" variant="ghost-danger" onClick={() => update(rows.filter((_, at) => at !== index))}>
            {t('workflows.panel.removeItem')}
          </Button>
        </div>
      ))}
      <Button type="button" size="sm" variant="secondary" onClick={() => update([...rows, ['', '']])}>
        {t('workflows.panel.addItem')}
      </Button>
    </div>
  );
}

function JsonField({ id, value, onChange }: { id: string; value: unknown; onChange: (next: unknown) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string | null>(null);
  return (
    <div>
      <Textarea
        id={id}
        rows={4}
        className="font-mono text-xs"
        value={text}
        aria-invalid={error ? true : undefined}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim() === '') {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(event.target.value));
            setError(null);
          } catch {
            setError(t('workflows.panel.jsonInvalid'));
          }
        }}
      />
      {error && <p className="mt-1 text-xs text-danger">{error}</p>}
    </div>
  );
}

/** One field of a config, its control chosen from its schema (see fieldControlOf). */
function SchemaField({
  path,
  name,
  schema: raw,
  value,
  onChange,
  required,
  error,
  suggestions,
}: {
  path: string;
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (next: unknown) => void;
  required: boolean;
  error?: string;
  suggestions?: string[];
}) {
  const { t } = useTranslation();
  const { schema, nullable } = unwrapNullable(raw);
  const control = fieldControlOf(name, raw);
  const id = `field-${path}`;
  const label = required ? `${fieldLabel(t, name)} *` : fieldLabel(t, name);
  const hint = schema.description ?? raw.description;
  const placeholder = schema.default !== undefined && typeof schema.default !== 'object' ? String(schema.default) : undefined;
  if (control === 'object') {
    return (
      <fieldset className="space-y-3 rounded-md border border-border p-3">
        <legend className="px-1 text-sm font-medium">{label}</legend>
        {hint && <p className="text-xs text-muted">{hint}</p>}
        <SchemaFields pathPrefix={path} schema={schema} value={(value as Value) ?? {}} onChange={(next) => onChange(next)} />
      </fieldset>
    );
  }
  if (control === 'boolean') {
    return (
      <div>
        <Checkbox id={id} label={label} checked={value === undefined ? schema.default === true : value === true} onChange={(event) => onChange(event.target.checked)} />
        {hint && <p className="mt-1 text-xs text-muted">{hint}</p>}
      </div>
    );
  }
  const element = (() => {
    switch (control) {
      case 'textarea':
        return <Textarea id={id} name={path} rows={3} value={typeof value === 'string' ? value : ''} placeholder={placeholder} onChange={(event) => onChange(event.target.value === '' && nullable ? null : event.target.value)} />;
      case 'text':
        return <Input id={id} name={path} list={suggestions ? `${id}-options` : undefined} value={typeof value === 'string' ? value : ''} placeholder={placeholder} onChange={(event) => onChange(event.target.value === '' ? (nullable ? null : undefined) : event.target.value)} />;
      case 'number':
      case 'integer':
        return (
          <Input
            id={id}
            name={path}
            type="number"
            inputMode={control === 'integer' ? 'numeric' : 'decimal'}
            step={control === 'integer' ? 1 : 'any'}
            min={schema.minimum}
            max={schema.maximum}
            placeholder={placeholder}
            value={typeof value === 'number' ? String(value) : ''}
            onChange={(event) => onChange(event.target.value === '' ? undefined : Number(event.target.value))}
          />
        );
      case 'enum':
        return (
          <Select id={id} name={path} value={value === undefined || value === null ? '' : String(value)} onChange={(event) => onChange(event.target.value === '' ? undefined : (schema.enum ?? []).find((option) => String(option) === event.target.value))}>
            <option value="">{schema.default !== undefined ? t('workflows.panel.defaultOption', { value: optionLabel(t, schema.default) }) : t('workflows.panel.unset')}</option>
            {(schema.enum ?? []).map((option) => (
              <option key={String(option)} value={String(option)}>
                {optionLabel(t, option)}
              </option>
            ))}
          </Select>
        );
      case 'string-list':
        return <StringList id={id} value={value} onChange={onChange} options={schema.items?.enum} />;
      case 'string-map':
        return <StringMap id={id} value={value} onChange={onChange} />;
      default:
        return <JsonField id={id} value={value} onChange={onChange} />;
    }
  })();
  return (
    <>
      <Field label={label} hint={hint} error={error}>
        {element}
      </Field>
      {suggestions && control === 'text' && (
        <datalist id={`${id}-options`}>
          {suggestions.map((option) => (
            <option key={option} value={option} />
          ))}
        </datalist>
      )}
    </>
  );
}

/** The fields of an object schema; undefined values are dropped so defaults apply on the server. */
export function SchemaFields({
  pathPrefix,
  schema,
  value,
  onChange,
  errors = {},
  suggestions = {},
}: {
  pathPrefix: string;
  schema: JsonSchema;
  value: Value;
  onChange: (next: Value) => void;
  errors?: Record<string, string>;
  /** Known values of text fields (e.g. the registered actions of update_record), offered as a list. */
  suggestions?: Record<string, string[]>;
}) {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  return (
    <div className="space-y-4">
      {properties.map(([name, property]) => (
        <SchemaField
          key={name}
          path={pathPrefix ? `${pathPrefix}.${name}` : name}
          name={name}
          schema={property}
          required={required.has(name)}
          value={value[name]}
          error={errors[name]}
          suggestions={suggestions[name]}
          onChange={(next) => {
            const copy = { ...value };
            if (next === undefined) delete copy[name];
            else copy[name] = next;
            onChange(copy);
          }}
        />
      ))}
    </div>
  );
}
