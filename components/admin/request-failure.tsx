'use client';

import { needsStepUp } from '../passkey/use-step-up';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';

/** Errors of a failed call, as an alert; a request for a passkey confirmation is the step-up prompt's. */
export function RequestFailure({ error }: { error: unknown }) {
  if (needsStepUp(error)) return null;
  return (
    <Alert tone="error" role="alert">
      <AlertTitle>The request failed</AlertTitle>
      {errorMessages(error).map((m) => (
        <p key={m}>{m}</p>
      ))}
    </Alert>
  );
}
