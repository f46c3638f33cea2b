import { cn } from './cn';

/**
 * The message beside an invalid control. Render it always when the control may become invalid and
 * point aria-describedby at its id; it renders nothing while there is no message.
 */
export function FieldError({ id, message, className }: { id: string; message: string | undefined; className?: string }) {
  if (!message) return null;
  return (
    <p id={id} className={cn('mt-1 text-sm font-medium text-red-700', className)}>
      {message}
    </p>
  );
}

/** The aria-describedby value for a control with optional hint and error ids. */
export function describedBy(...ids: readonly (string | false | undefined)[]): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}
