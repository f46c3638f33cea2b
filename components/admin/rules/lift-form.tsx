'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../../idempotency/use-idempotency-key';
import { useStepUp } from '../../passkey/use-step-up';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import { CardContent } from '../../ui/card';
import { Field } from '../../ui/field';
import { Input } from '../../ui/input';
import { OutcomeMessage } from '../outcome-message';
import { RequestFailure } from '../request-failure';
import type { Overview } from './overview';
import { scopeText } from './scope';

/** Lifting a suspension before its window ends: a logged act with its reason (A6R-17). */
export function LiftForm({ suspension, onClose }: { suspension: Overview['suspensions'][number]; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lift = useMutation(trpc.rules.lift.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() === '') {
      setError('Give the reason for lifting the suspension.');
      return;
    }
    setError(undefined);
    void run(async () => {
      await keys.send((idempotencyKey) => lift.mutateAsync({ idempotencyKey, suspensionId: suspension.id, reason }));
    }).catch(() => undefined);
  };
  return (
    <CardContent>
      <form onSubmit={submit} className="space-y-4 border-t border-border pt-4" noValidate aria-labelledby={`lift-${suspension.id}`}>
        <h3 id={`lift-${suspension.id}`} ref={headingRef} tabIndex={-1} className="font-semibold">
          Lift the suspension of {suspension.subject} for the {scopeText(suspension.scopeType, suspension.scopeId)}
        </h3>
        <p className="text-sm text-muted">From the moment it is lifted, the rule judges every transaction again. Transactions already recorded stay as they were judged.</p>
        <Field label="Reason for lifting" error={error}>
          {(control) => <Input {...control} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />}
        </Field>
        <div className="space-x-2">
          <Button type="submit" disabled={lift.isPending || lift.data?.status === 'RECORDED'}>
            {lift.isPending ? 'Recording…' : 'Lift the suspension now'}
          </Button>
          <Button type="button" variant="secondary" onClick={onClose}>
            {lift.data?.status === 'RECORDED' ? 'Close' : 'Cancel'}
          </Button>
        </div>
        {prompt}
        {lift.isError ? <RequestFailure error={lift.error} /> : null}
        {lift.data ? <OutcomeMessage outcome={lift.data} recorded="The suspension is lifted." /> : null}
      </form>
    </CardContent>
  );
}
