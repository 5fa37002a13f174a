import { useCallback, useRef, useState, type FormEvent } from 'react';
import type { ZodType } from 'zod';
import { describeError } from '../api/errors';
import { ProblemError, splitFieldErrors } from '../api/problem';
import { translateMessage } from '../i18n/i18n';
import { useToast } from '../ui/Toast';

export type FormErrors<Values> = Partial<Record<keyof Values & string, string>> & { form?: string };

/**
 * Form state validated with the same zod schema the server uses. Errors from the schema and from the
 * server's problem+json land next to their field; anything else is shown as a toast (or in the form's
 * own error slot). Values are never reset on failure: nothing the user typed is lost.
 */
export function useForm<Values extends Record<string, unknown>, Parsed = Values>({
  initialValues,
  schema,
  toInput,
  onSubmit,
  errorsInline = false,
  fieldOf,
}: {
  initialValues: Values;
  schema?: ZodType<Parsed>;
  /** Turn the form's values into what the schema validates (e.g. empty strings → undefined). */
  toInput?: (values: Values) => unknown;
  onSubmit: (parsed: Parsed, values: Values) => Promise<unknown> | unknown;
  /** true: non-field errors go to `errors.form` (shown in the form) instead of a toast. */
  errorsInline?: boolean;
  /** Which form field a schema path belongs to (default: its first segment), e.g. colors.primary → primary. */
  fieldOf?: (path: string[]) => string;
}) {
  const toast = useToast();
  const [values, setValues] = useState<Values>(initialValues);
  const [errors, setErrors] = useState<FormErrors<Values>>({});
  const [submitting, setSubmitting] = useState(false);
  const valuesRef = useRef(values);
  valuesRef.current = values;

  const setField = useCallback(<K extends keyof Values & string>(name: K, value: Values[K]) => {
    setValues((current) => ({ ...current, [name]: value }));
    // The field's error is about the old value: clear it as soon as the user changes it.
    setErrors((current) => (current[name] || current.form ? { ...current, [name]: undefined, form: undefined } : current));
  }, []);

  const fieldNames = Object.keys(initialValues);
  const nameOf = (path: string[]) => (fieldOf ? fieldOf(path) : (path[0] ?? ''));

  const handleSubmit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (submitting) return;
    const current = valuesRef.current;
    let parsed = (toInput ? toInput(current) : current) as Parsed;
    if (schema) {
      const result = schema.safeParse(parsed);
      if (!result.success) {
        const next: FormErrors<Values> = {};
        const leftovers: string[] = [];
        for (const issue of result.error.issues) {
          const name = nameOf(issue.path.map(String));
          if (fieldNames.includes(name)) (next as Record<string, string>)[name] ??= translateMessage(issue.message);
          else leftovers.push(translateMessage(issue.message));
        }
        if (leftovers.length > 0) {
          if (errorsInline) next.form = leftovers[0];
          else toast.show(leftovers[0]!, 'error');
        }
        setErrors(next);
        focusFirstInvalid();
        return;
      }
      parsed = result.data;
    }
    setErrors({});
    setSubmitting(true);
    try {
      await onSubmit(parsed, current);
    } catch (error) {
      const next: FormErrors<Values> = {};
      if (error instanceof ProblemError) {
        const { fields, other } = splitFieldErrors(error, fieldNames, (path) => nameOf(path.split('.')));
        for (const [name, message] of Object.entries(fields)) (next as Record<string, string>)[name] = translateMessage(message);
        const rest = Object.keys(fields).length === 0 ? describeError(error) : other.map(translateMessage)[0];
        if (rest) {
          if (errorsInline) next.form = rest;
          else toast.show(rest, 'error');
        }
      } else {
        const message = describeError(error);
        if (errorsInline) next.form = message;
        else toast.show(message, 'error');
      }
      setErrors(next);
      focusFirstInvalid();
    } finally {
      setSubmitting(false);
    }
  };

  return { values, setValues, setField, errors, setErrors, submitting, handleSubmit };
}

function focusFirstInvalid() {
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
