import type { RouterOutputs } from '../router-types';
import { Alert, AlertTitle } from '../ui/alert';

type Outcome = RouterOutputs['rules']['configure'];

/** What the ledger answered to an administrative proposal: recorded, or refused with every reason. */
export function OutcomeMessage({ outcome, recorded }: { outcome: Outcome; recorded: string }) {
  if (outcome.status === 'RECORDED') {
    return (
      <Alert tone="success" role="status">
        {recorded} {outcome.pending ? 'It waits for a second person’s approval.' : ''} Transaction {outcome.transactionId}.
      </Alert>
    );
  }
  return (
    <Alert tone="error" role="alert">
      <AlertTitle>Refused</AlertTitle>
      <ul className="list-disc pl-5">
        {outcome.refusals.map((r) => (
          <li key={`${r.code}-${JSON.stringify(r.judged)}`}>
            {r.code}: {r.message} {Object.keys(r.judged).length > 0 ? <span className="text-muted">({Object.entries(r.judged).map(([k, v]) => `${k}: ${String(v)}`).join(', ')})</span> : null}
          </li>
        ))}
      </ul>
    </Alert>
  );
}
