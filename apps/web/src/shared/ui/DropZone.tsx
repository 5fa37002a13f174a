import { useState, type ReactNode } from 'react';
import { cn } from './cn';

/**
 * A dashed area files can be dropped on, highlighted while something is dragged over it. It is only a
 * convenience: the children must include a real file input (a labelled button) for keyboard users.
 */
export function DropZone({ onFiles, className, idleClassName = 'border-border', children, testId }: { onFiles: (files: FileList) => void; className?: string; idleClassName?: string; children: ReactNode; testId?: string }) {
  const [dragging, setDragging] = useState(false);
  return (
    <div
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        if (event.dataTransfer.files.length > 0) onFiles(event.dataTransfer.files);
      }}
      data-testid={testId}
      className={cn('flex flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-4 text-center', className, dragging ? 'border-primary bg-primary/5' : idleClassName)}
    >
      {children}
    </div>
  );
}
