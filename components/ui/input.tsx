import type { ComponentProps } from 'react';
import { cn } from './cn';

const control = cn(
  'block w-full rounded-md border border-border-strong bg-white px-3 py-2 text-sm text-ink',
  'aria-[invalid=true]:border-red-700 aria-[invalid=true]:ring-1 aria-[invalid=true]:ring-red-700',
  'disabled:cursor-not-allowed disabled:bg-slate-100',
);

export function Input({ className, ...props }: ComponentProps<'input'>) {
  return <input className={cn(control, 'min-h-10', className)} {...props} />;
}

/** A native select: keyboard, screen reader and touch behaviour come with the platform. */
export function Select({ className, ...props }: ComponentProps<'select'>) {
  return <select className={cn(control, 'min-h-10 pr-8', className)} {...props} />;
}

/** Help text under a control, tied to it with aria-describedby. */
export function FieldHint({ className, ...props }: ComponentProps<'p'>) {
  return <p className={cn('mt-1 text-sm text-muted', className)} {...props} />;
}
