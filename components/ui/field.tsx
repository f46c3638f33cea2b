import { useId, type ReactNode } from 'react';
import { Label } from './label';
import { FieldHint } from './input';
import { describedBy, FieldError } from './field-error';

/** What a control needs to be labelled, described and marked invalid. */
export interface ControlProps {
  readonly id: string;
  readonly 'aria-invalid': boolean | undefined;
  readonly 'aria-describedby': string | undefined;
}

interface FieldProps {
  /** The control's id; the label, hint and error hang off it. */
  readonly id?: string;
  readonly label: string;
  readonly hint?: ReactNode;
  readonly error?: string;
  readonly className?: string;
  readonly children: (control: ControlProps) => ReactNode;
}

/** A label, a control, an optional hint and the error beside it, wired together for assistive technology. */
export function Field({ id, label, hint, error, className, children }: FieldProps) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  return (
    <div className={className}>
      <Label htmlFor={controlId}>{label}</Label>
      {hint ? <FieldHint id={hintId}>{hint}</FieldHint> : null}
      <div className="mt-1">{children({ id: controlId, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(hintId, errorId) })}</div>
      <FieldError id={`${controlId}-error`} message={error} />
    </div>
  );
}
