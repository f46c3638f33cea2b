'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../../idempotency/use-idempotency-key';
import { useStepUp } from '../../passkey/use-step-up';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { Field } from '../../ui/field';
import { Input, Select } from '../../ui/input';
import { OutcomeMessage } from '../outcome-message';
import { RequestFailure } from '../request-failure';
import type { Overview } from './overview';
import { scopeOf, type ScopeType } from './scope';
import { ScopeFields } from './scope-fields';

/** Suspends a pluggable rule for a window, with its reason (A6R-17); registry administrators only. */
export function SuspendForm({ catalog }: { catalog: Overview['catalog'] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const suspend = useMutation(trpc.rules.suspend.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const names = [...new Set(catalog.filter((r) => r.kind === 'pluggable').map((r) => r.name))];
  const [rule, setRule] = useState(names[0] ?? '');
  const [scopeType, setScopeType] = useState<ScopeType>('REGISTRY');
  const [scopeId, setScopeId] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (until === '') found.until = 'Enter when the suspension ends.';
    if (reason.trim() === '') found.reason = 'Give the reason for the suspension.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    // The inputs are in UTC, as the registry keeps its times.
    const input = { rule, scope: scopeOf(scopeType, scopeId), from: from === '' ? new Date() : new Date(`${from}:00Z`), until: new Date(`${until}:00Z`), reason };
    void run(async () => {
      await keys.send((idempotencyKey) => suspend.mutateAsync({ ...input, idempotencyKey }));
    }).catch(() => undefined);
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Suspend a rule</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="space-y-4" noValidate>
          <p className="text-sm text-muted">Registry administrators only. A suspension is logged, with its reason, and every transaction it lets through names it.</p>
          <Field label="Rule">
            {(control) => (
              <Select {...control} value={rule} onChange={(e) => setRule(e.target.value)}>
                {names.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <ScopeFields type={scopeType} id={scopeId} onType={setScopeType} onId={setScopeId} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="From (UTC)" hint="Empty: now.">
              {(control) => <Input {...control} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />}
            </Field>
            <Field label="Until (UTC)" error={errors.until}>
              {(control) => <Input {...control} type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />}
            </Field>
          </div>
          <Field label="Reason" error={errors.reason}>
            {(control) => <Input {...control} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />}
          </Field>
          <Button type="submit" disabled={suspend.isPending}>
            {suspend.isPending ? 'Recording…' : 'Record the suspension'}
          </Button>
          {prompt}
          {suspend.isError ? <RequestFailure error={suspend.error} /> : null}
          {suspend.data ? <OutcomeMessage outcome={suspend.data} recorded="The suspension is recorded." /> : null}
        </form>
      </CardContent>
    </Card>
  );
}
