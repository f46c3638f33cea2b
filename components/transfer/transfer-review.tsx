'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { formatUnits, shortId } from '../format';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import type { TransferOutcome } from '../router-types';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { Button } from '../ui/button';
import type { PreparedTransfer } from './transfer-fields';

export interface RecordedTransfer {
  readonly transfer: PreparedTransfer;
  readonly outcome: Extract<TransferOutcome, { status: 'RECORDED' }>;
}

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
        <Refusal messages={refused.refusals.map((r) => `${r.message} (check ${r.code})`)} footer="Nothing changed: no units were moved. Go back to change the transfer." />
      ) : submit.isError ? (
        <Refusal messages={errorMessages(submit.error)} footer="The transfer was not recorded. You can confirm again: the same request is never recorded twice." />
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

function TransferSummary({ transfer: { from, to, selection, quantity, block } }: { transfer: PreparedTransfer }) {
  let units: ReactNode;
  if (selection.mode === 'explicit') {
    units = `Serials ${String(selection.firstSerial)} to ${String(selection.lastSerial)} of block ${block?.serialRange ?? selection.seriesId}`;
  } else {
    const { unitType, hostParty, vintage } = selection.constraints ?? {};
    const parts = [unitType && `unit type ${unitType}`, hostParty && `host Party ${hostParty}`, vintage && `vintage ${vintage}`].filter(Boolean);
    units = parts.length > 0 ? `Units matching ${parts.join(', ')}, smallest blocks first` : 'Any units the account holds, smallest blocks first';
  }
  return (
    <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[max-content_1fr]">
      <SummaryRow term="From">
        {from.name} ({from.id})
      </SummaryRow>
      <SummaryRow term="To">
        {to.name} ({to.id}), held by {to.holderName}
      </SummaryRow>
      <SummaryRow term="Units">
        <span className="[overflow-wrap:anywhere]">{units}</span>
      </SummaryRow>
      <SummaryRow term="Quantity">{formatUnits(quantity)} units</SummaryRow>
    </dl>
  );
}

function SummaryRow({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-sm text-muted sm:pt-0.5">{term}</dt>
      <dd className="font-medium">{children}</dd>
    </>
  );
}

function Refusal({ messages, footer }: { messages: readonly string[]; footer: string }) {
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

/** Moves focus to a step's first element when it appears, so keyboard and screen reader users land on it. */
function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}
