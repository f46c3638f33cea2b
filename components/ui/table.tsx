import type { ComponentProps } from 'react';
import { cn } from './cn';

/**
 * The wrapper lets a wide table scroll sideways on a phone or a tablet instead of widening the page;
 * it takes the keyboard focus, so that it can be scrolled without a pointer (WCAG 2.1.1).
 */
export function Table({ className, ...props }: ComponentProps<'table'>) {
  return (
    // relative: what is positioned inside (screen-reader text) scrolls with the table, not beyond the page.
    <div className="relative w-full overflow-x-auto" tabIndex={0}>
      <table className={cn('w-full border-collapse text-left text-sm', className)} {...props} />
    </div>
  );
}

export function TableCaption({ className, ...props }: ComponentProps<'caption'>) {
  return <caption className={cn('px-4 pb-2 text-left text-sm text-muted sm:px-6', className)} {...props} />;
}

export function TableHeader(props: ComponentProps<'thead'>) {
  return <thead className="bg-slate-50" {...props} />;
}

export function TableBody(props: ComponentProps<'tbody'>) {
  return <tbody {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<'tr'>) {
  return <tr className={cn('border-b border-border last:border-b-0', className)} {...props} />;
}

/** A header cell; `scope` defaults to a column header, pass scope="row" for the cell that names its row. */
export function TableHead({ className, scope = 'col', ...props }: ComponentProps<'th'>) {
  // Row headers are data too (an account number, a serial range): they keep a lighter weight.
  return <th scope={scope} className={cn('px-4 py-2 align-top text-ink first:pl-4 sm:first:pl-6', scope === 'row' ? 'font-medium' : 'font-semibold', className)} {...props} />;
}

export function TableCell({ className, ...props }: ComponentProps<'td'>) {
  return <td className={cn('px-4 py-2 align-top first:pl-4 sm:first:pl-6', className)} {...props} />;
}

/** Quantities line up on their digits. */
export const numericCell = 'text-right tabular-nums whitespace-nowrap';
