import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { cn } from './cn';

export type MenuItem =
  | { type?: 'item'; label: string; onSelect: () => void; icon?: ReactNode; checked?: boolean; tone?: 'danger' }
  | { type: 'separator' }
  | { type: 'label'; label: string };

/**
 * A menu button (WAI-ARIA menu pattern): Enter/Space/ArrowDown open it, arrows move, Home/End jump,
 * Escape closes and returns focus to the button.
 */
export function DropdownMenu({
  trigger,
  triggerLabel,
  items,
  align = 'end',
  triggerClassName,
  side = 'bottom',
}: {
  trigger: ReactNode;
  triggerLabel: string;
  items: MenuItem[];
  align?: 'start' | 'end';
  side?: 'top' | 'bottom';
  triggerClassName?: string;
}) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const first = menuRef.current?.querySelector<HTMLElement>('[role^="menuitem"]');
    first?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!menuRef.current?.contains(event.target as Node) && !buttonRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = (focusButton = true) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const entries = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const index = entries.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'ArrowDown') entries[(index + 1) % entries.length]?.focus();
    else if (event.key === 'ArrowUp') entries[(index - 1 + entries.length) % entries.length]?.focus();
    else if (event.key === 'Home') entries[0]?.focus();
    else if (event.key === 'End') entries[entries.length - 1]?.focus();
    else if (event.key === 'Escape') close();
    else if (event.key === 'Tab') close(false);
    else {
      return;
    }
    event.preventDefault();
  };

  return (
    <div className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={triggerLabel}
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            setOpen(true);
          }
        }}
        className={triggerClassName}
      >
        {trigger}
      </button>
      {open && (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={triggerLabel}
          onKeyDown={onMenuKeyDown}
          className={cn(
            'absolute z-40 min-w-56 max-w-[calc(100vw-1.5rem)] rounded-xl border border-border bg-surface p-1 text-sm shadow-xl',
            align === 'end' ? 'right-0' : 'left-0',
            side === 'bottom' ? 'top-full mt-1' : 'bottom-full mb-1',
          )}
        >
          {items.map((item, index) => {
            if (item.type === 'separator') return <div key={index} role="separator" className="my-1 h-px bg-border" />;
            if (item.type === 'label') {
              return (
                <div key={index} className="px-2.5 pb-1 pt-2 text-xs font-medium uppercase tracking-wide text-muted" role="presentation">
                  {item.label}
                </div>
              );
            }
            return (
              <button
                key={index}
                type="button"
                role={item.checked === undefined ? 'menuitem' : 'menuitemradio'}
                aria-checked={item.checked}
                tabIndex={-1}
                onClick={() => {
                  close(false);
                  item.onSelect();
                }}
                className={cn(
                  'flex w-full items-center gap-2 rounded-lg px-2.5 py-2 text-left outline-none hover:bg-surface-2 focus:bg-surface-2',
                  item.tone === 'danger' && 'text-danger',
                )}
              >
                {item.icon && <span className="text-muted" aria-hidden="true">{item.icon}</span>}
                <span className="flex-1 truncate">{item.label}</span>
                {item.checked && (
                  <svg viewBox="0 0 20 20" className="size-4 text-primary" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
                    <path d="m5 10 3.5 3.5L15 7" strokeLinecap="round" strokeLinejoin="round" />
                  </svg>
                )}
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}
