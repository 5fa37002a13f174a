import { forwardRef, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { cn } from './cn';

/** Full width unless the caller sets a width. */
const width = (className?: string) => (className && /(^|\s)(w-|max-w-|flex-1)/.test(className) ? '' : 'w-full');

const control =
  'rounded-lg border border-border bg-surface px-3 text-sm text-fg shadow-sm transition placeholder:text-muted ' +
  'focus:border-primary focus:outline-none focus:ring-2 focus:ring-ring disabled:opacity-60 aria-[invalid=true]:border-danger';

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input({ className, ...rest }, ref) {
  return <input ref={ref} className={cn(control, width(className), 'h-10', className)} {...rest} />;
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(function Textarea({ className, ...rest }, ref) {
  return <textarea ref={ref} className={cn(control, width(className), 'min-h-24 py-2', className)} {...rest} />;
});

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(function Select({ className, children, ...rest }, ref) {
  // Width classes size the wrapper; the rest style the control.
  const classes = (className ?? '').split(/\s+/).filter(Boolean);
  const sizing = classes.filter((name) => /^(w-|max-w-|min-w-|flex-1|sm:w-|sm:max-w-)/.test(name)).join(' ');
  const styling = classes.filter((name) => !/^(w-|max-w-|min-w-|flex-1|sm:w-|sm:max-w-)/.test(name)).join(' ');
  return (
    <span className={cn('relative inline-flex', sizing || 'w-full')}>
      <select ref={ref} className={cn(control, 'h-10 w-full cursor-pointer appearance-none pr-9', styling)} {...rest}>
        {children}
      </select>
      <svg viewBox="0 0 20 20" className="pointer-events-none absolute right-3 top-1/2 size-4 -translate-y-1/2 text-muted" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
        <path d="m6 8 4 4 4-4" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  );
});

export function Checkbox({ label, className, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  return (
    <label className={cn('inline-flex cursor-pointer items-center gap-2 text-sm', className)}>
      <input type="checkbox" className="size-4 rounded border-border accent-[var(--ui-primary)]" {...rest} />
      <span>{label}</span>
    </label>
  );
}
