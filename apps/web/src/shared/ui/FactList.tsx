import type { ReactNode } from 'react';
import { cn } from './cn';

/** Label/value pairs as a definition list in two columns (run details, inspectors). */
export function FactList({ facts, dense = false }: { facts: Array<[string, ReactNode]>; dense?: boolean }) {
  return (
    <dl className={cn('grid grid-cols-[auto_minmax(0,1fr)]', dense ? 'gap-x-3 gap-y-1 text-xs' : 'gap-x-4 gap-y-2 text-sm')}>
      {facts.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted">{label}</dt>
          <dd className="break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
