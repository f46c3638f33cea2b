'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { OutcomeMessage } from '../admin/outcome-message';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { needsStepUp, useStepUp } from '../passkey/use-step-up';
import type { AccountDetail } from '../router-types';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { Button } from '../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { accountStatus } from './labels';

type Status = AccountDetail['statusChoices'][number];

/** What each change means for the account's units, shown before it is made (A6R-41). */
const CONSEQUENCE: Record<Status, string> = {
  ACTIVE: 'The account takes part in transactions again.',
  SUSPENDED: 'No transaction may involve the account until it is reactivated.',
  RESTRICTED: 'Only registry administrators may initiate transactions involving the account.',
  FROZEN: 'No transaction may involve the account: its units stay where they are until a registry administrator unfreezes it.',
  TERMINATED: 'Final: the account never takes part in a transaction again. An account that could still send units must hold none.',
};

/**
 * Changing an account's status (A6R-41): for the administrators the ledger allows to (registry
 * administrators for Restricted and Frozen and lifting them; section administrators for the other
 * changes in their sections). A sensitive act: it asks for a recent passkey confirmation (A6R-7), and
 * the reason goes into the log with the change.
 */
export function AccountStatusForm({ account, choices }: { account: AccountDetail['account']; choices: readonly Status[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const change = useMutation(trpc.account.setStatus.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.account.get.queryFilter({ id: account.id })) }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [status, setStatus] = useState<Status | ''>('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ status?: string; reason?: string }>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: { status?: string; reason?: string } = {};
    if (status === '') found.status = 'Choose the new status.';
    if (reason.trim() === '') found.reason = 'Give the reason for the change; it is recorded in the log.';
    setErrors(found);
    if (status === '' || found.reason) return;
    void run(async () => {
      const outcome = await keys.send((idempotencyKey) => change.mutateAsync({ idempotencyKey, accountId: account.id, status, reason }));
      if (outcome.status === 'RECORDED') {
        setStatus('');
        setReason('');
      }
    }).catch(() => undefined);
  };

  return (
    <Card aria-labelledby="account-status-heading">
      <CardHeader>
        <CardTitle id="account-status-heading">Change the account’s status</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="max-w-prose space-y-4" noValidate>
          <p className="text-sm text-muted">
            The account is {accountStatus(account.status).label.toLowerCase()}. The change is a logged transaction; you confirm it with your passkey.
          </p>
          <Field label="New status" error={errors.status} hint={status === '' ? undefined : CONSEQUENCE[status]}>
            {(control) => (
              <Select {...control} value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
                <option value="">Choose…</option>
                {choices.map((s) => (
                  <option key={s} value={s}>
                    {accountStatus(s).label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Reason" error={errors.reason}>
            {(control) => <Input {...control} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />}
          </Field>
          <Button type="submit" disabled={change.isPending}>
            {change.isPending ? 'Recording…' : 'Change the status'}
          </Button>
          {prompt}
          {change.isError && !needsStepUp(change.error) ? (
            <Alert tone="error" role="alert">
              <AlertTitle>The request failed</AlertTitle>
              {errorMessages(change.error).map((m) => (
                <p key={m}>{m}</p>
              ))}
            </Alert>
          ) : null}
          {change.data ? <OutcomeMessage outcome={change.data} recorded="The status is changed." /> : null}
        </form>
      </CardContent>
    </Card>
  );
}
