'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { TransferEditor } from './transfer-editor';
import { initialFields, type InitialTransfer, type PreparedTransfer } from './transfer-fields';
import { TransferRecorded, type RecordedTransfer } from './transfer-recorded';
import { TransferReview } from './transfer-review';

type Step = { readonly kind: 'edit' } | { readonly kind: 'review'; readonly transfer: PreparedTransfer } | { readonly kind: 'done'; readonly recorded: RecordedTransfer };

/**
 * Transfer in three steps: fill in, review, done. The fields live here so that "Back" from the review
 * finds them as they were; the review draws one idempotency key per confirmation, so repeated clicks
 * on "Confirm transfer" and retries can never move units twice.
 */
export function TransferForm({ initial }: { initial: InitialTransfer }) {
  const trpc = useTRPC();
  const accounts = useQuery(trpc.account.list.queryOptions());
  const [fields, setFields] = useState(() => initialFields(initial));
  const [step, setStep] = useState<Step>({ kind: 'edit' });

  if (accounts.isPending) return <p role="status">Loading your accounts…</p>;
  if (accounts.isError) {
    return (
      <Alert tone="error" role="alert">
        <AlertTitle>Your accounts could not be loaded</AlertTitle>
        {errorMessages(accounts.error).map((message) => (
          <p key={message}>{message}</p>
        ))}
      </Alert>
    );
  }
  if (accounts.data.accounts.length === 0) return <p>You have no accounts to transfer units from.</p>;

  switch (step.kind) {
    case 'review':
      return <TransferReview transfer={step.transfer} onBack={() => setStep({ kind: 'edit' })} onRecorded={(recorded) => setStep({ kind: 'done', recorded })} />;
    case 'done':
      return (
        <TransferRecorded
          recorded={step.recorded}
          onAnother={() => {
            setFields(initialFields({ from: fields.fromAccountId }));
            setStep({ kind: 'edit' });
          }}
        />
      );
    case 'edit':
      return <TransferEditor accounts={accounts.data.accounts} initial={initial} fields={fields} setFields={setFields} onReview={(transfer) => setStep({ kind: 'review', transfer })} />;
  }
}
