import type { ReactNode } from 'react';
import { cn } from '../../shared/ui';

export function FormAlert({ children, tone = 'error' }: { children: ReactNode; tone?: 'error' | 'info' | 'success' }) {
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={`form-alert-${tone}`}
      className={cn(
        'mb-4 rounded-lg border px-3 py-2.5 text-sm',
        tone === 'error' && 'border-danger/40 bg-danger/10 text-fg',
        tone === 'info' && 'border-primary/30 bg-primary/5',
        tone === 'success' && 'border-success/40 bg-success/10',
      )}
    >
      {children}
    </div>
  );
}
