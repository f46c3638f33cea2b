'use client';

import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import { Field } from '../../ui/field';
import { Input, Select } from '../../ui/input';
import type { Act } from './user-act';

/** Records what was checked of the user's identity, when, with what outcome (A6R-3). */
export function IdentityCheckForm({ userId, act }: { userId: string; act: Act }) {
  const trpc = useTRPC();
  const record = useMutation(trpc.users.recordIdentityCheck.mutationOptions());

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      userId,
      method: String(form.get('method')) as 'GOVERNMENT_ID' | 'RESIDENCE' | 'UN_SYSTEM' | 'OTHER',
      outcome: String(form.get('outcome')) as 'VERIFIED' | 'REJECTED',
      checkedAt: new Date(`${String(form.get('checkedAt'))}T00:00:00Z`),
      note: String(form.get('note') ?? ''),
    };
    void act('identity-check', (idempotencyKey) => record.mutateAsync({ ...input, idempotencyKey }), 'Identity check recorded.');
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-border bg-white p-6" aria-labelledby="check-title">
      <h2 id="check-title" className="text-lg font-semibold">
        Record an identity check
      </h2>
      <Field label="What was checked">
        {(control) => (
          <Select {...control} name="method" defaultValue="GOVERNMENT_ID">
            <option value="GOVERNMENT_ID">Government ID</option>
            <option value="RESIDENCE">Residence</option>
            <option value="UN_SYSTEM">Record in another UN system</option>
            <option value="OTHER">Other check of comparable assurance</option>
          </Select>
        )}
      </Field>
      <Field label="Outcome">
        {(control) => (
          <Select {...control} name="outcome" defaultValue="VERIFIED">
            <option value="VERIFIED">Verified</option>
            <option value="REJECTED">Rejected</option>
          </Select>
        )}
      </Field>
      <Field label="Date of the check">{(control) => <Input {...control} name="checkedAt" type="date" required defaultValue={new Date().toISOString().slice(0, 10)} />}</Field>
      <Field label="Note (kept out of the log)">{(control) => <Input {...control} name="note" maxLength={2000} />}</Field>
      <Button type="submit" disabled={record.isPending}>
        Record check
      </Button>
    </form>
  );
}
