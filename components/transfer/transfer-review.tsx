'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Button } from '../ui/button';
import type { PreparedTransfer } from './transfer-fields';
import type { RecordedTransfer } from './transfer-recorded';
import { TransferRefusal } from './transfer-refusal';
import { TransferSummary } from './transfer-summary';
import { useFocusOnMount } from './use-focus-on-mount';

interface ReviewProps {
  readonly transfer: PreparedTransfer;
  readonly onBack: () => void;
  readonly onRecorded: (recorded: RecordedTransfer) => void;
}

/**
 * The confirmation step: what will move, where to, and the one button that submits it. The review is
 * the form: opened, it has a key of its own, kept while a confirmation fails without an answer.
 */
export function TransferReview({ transfer, onBack, onRecorded }: ReviewProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const submit = useMutation(trpc.transfer.submit.mutationOptions());
  const keys = useIdempotencyKey();
  // A second click can land before React re-renders with isPending; the ref closes that gap, the
  // idempotency key covers everything else (a retried request, a double submit from another tab).
  const sending = useRef(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();

  function confirm() {
    if (sending.current) return;
    sending.current = true;
    const { from, to, selection } = transfer;
    keys
      .send((idempotencyKey) => submit.mutateAsync({ idempotencyKey, fromAccountId: from.id, toAccountId: to.id, selection }))
      .then((outcome) => {
        if (outcome.status !== 'RECORDED') return;
        void queryClient.invalidateQueries({ queryKey: trpc.account.pathKey() });
        onRecorded({ transfer, outcome });
      })
      // Shown by the mutation's own error state below.
      .catch(() => undefined)
      .finally(() => {
        sending.current = false;
      });
  }

  const refused = submit.data?.status === 'REJECTED' ? submit.data : undefined;
  return (
    <section aria-labelledby="review-heading" className="space-y-6 rounded-lg border border-border bg-white p-4 sm:p-6">
      <div>
        <h2 id="review-heading" ref={heading} tabIndex={-1} className="text-lg font-semibold outline-none">
          Review transfer
        </h2>
        <p className="mt-1 text-muted">Check the details. Nothing moves until you confirm.</p>
      </div>
      <TransferSummary transfer={transfer} />

      {refused ? (
        <TransferRefusal messages={refused.refusals.map((r) => `${r.message} (check ${r.code})`)} footer="Nothing changed: no units were moved. Go back to change the transfer." />
      ) : submit.isError ? (
        <TransferRefusal messages={errorMessages(submit.error)} footer="The transfer was not recorded. You can confirm again: the same request is never recorded twice." />
      ) : null}

      <div className="flex flex-wrap items-center gap-4">
        {refused ? null : (
          <Button onClick={confirm} aria-disabled={submit.isPending || undefined}>
            Confirm transfer
          </Button>
        )}
        <Button variant="secondary" onClick={onBack}>
          Back
        </Button>
        {submit.isPending ? <span role="status">Recording the transfer…</span> : null}
      </div>
    </section>
  );
}
