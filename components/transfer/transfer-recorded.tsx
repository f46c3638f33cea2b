'use client';

import Link from 'next/link';
import { formatUnits, shortId } from '../format';
import type { TransferOutcome } from '../router-types';
import { Alert } from '../ui/alert';
import { Button } from '../ui/button';
import type { PreparedTransfer } from './transfer-fields';
import { useFocusOnMount } from './use-focus-on-mount';

export interface RecordedTransfer {
  readonly transfer: PreparedTransfer;
  readonly outcome: Extract<TransferOutcome, { status: 'RECORDED' }>;
}

/** The done step: what moved, with links to both accounts. */
export function TransferRecorded({ recorded: { transfer, outcome }, onAnother }: { recorded: RecordedTransfer; onAnother: () => void }) {
  const message = useFocusOnMount<HTMLDivElement>();
  const { from, to } = transfer;
  return (
    <div className="space-y-4">
      <Alert ref={message} tabIndex={-1} tone="success" role="status" className="outline-none">
        <p className="font-medium">
          Transfer recorded: {formatUnits(outcome.quantity)} units moved from {from.id} to {to.id} (transaction {shortId(outcome.transactionId)}).
        </p>
        {outcome.replayed ? <p className="mt-1">This request had already been recorded, so nothing moved twice.</p> : null}
      </Alert>
      <ul className="flex flex-wrap gap-x-6 gap-y-2">
        <li>
          <Link href={`/accounts/${encodeURIComponent(from.id)}`}>View account {from.id}</Link>
        </li>
        <li>
          <Link href={`/accounts/${encodeURIComponent(to.id)}`}>View account {to.id}</Link>
        </li>
      </ul>
      <Button variant="secondary" onClick={onAnother}>
        Make another transfer
      </Button>
    </div>
  );
}
