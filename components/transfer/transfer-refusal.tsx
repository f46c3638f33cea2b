import { useId } from 'react';
import { Alert, AlertTitle } from '../ui/alert';

/** Why a transfer was not recorded, every reason, and what to do next. */
export function TransferRefusal({ messages, footer }: { messages: readonly string[]; footer: string }) {
  // Named by its title, so that it can be told apart from other alerts (Next's route announcer is one).
  const titleId = useId();
  return (
    <Alert tone="error" role="alert" aria-labelledby={titleId}>
      <AlertTitle id={titleId}>Transfer refused</AlertTitle>
      <ul className="list-disc space-y-1 pl-5">
        {messages.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
      <p className="mt-2">{footer}</p>
    </Alert>
  );
}
