'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { Button } from '../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { needsStepUp, useStepUp } from '../passkey/use-step-up';
import { OutcomeMessage } from './outcome-message';

type Action = 'REVERSE' | 'CANCEL_ISSUANCE' | 'WITHHOLD';
const ACTIONS: readonly [Action, string][] = [
  ['REVERSE', 'Reverse a transfer (or release a withholding): units back to where they came from'],
  ['CANCEL_ISSUANCE', 'Take mistakenly issued units out of use (administrative cancellation account)'],
  ['WITHHOLD', 'Withhold units for the time being (administrative holding account)'],
];
const WHOLE = /^[1-9][0-9]*$/;

/**
 * Corrective actions (A6R-55), registry administrators only: each records the transaction it corrects
 * and every rule it broke. The ledger refuses, with numbered reasons, what cannot be corrected.
 */
export function CorrectionsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.rules.overview.queryOptions());
  const correct = useMutation(trpc.rules.correct.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [action, setAction] = useState<Action>('REVERSE');
  const [corrects, setCorrects] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [series, setSeries] = useState('');
  const [first, setFirst] = useState('');
  const [last, setLast] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (reason.trim() === '') found.reason = 'Give the reason for the correction.';
    if (action !== 'WITHHOLD' && corrects.trim() === '') found.corrects = 'Enter the id of the transaction to correct.';
    if (action !== 'REVERSE') {
      if (from.trim() === '') found.from = 'Enter the account the units are in.';
      if (to.trim() === '') found.to = 'Enter the administrative account they go to.';
      if (series.trim() === '') found.series = 'Enter the series of the units.';
      if (!WHOLE.test(first.trim())) found.first = 'The first serial is a whole number greater than zero.';
      if (!WHOLE.test(last.trim())) found.last = 'The last serial is a whole number greater than zero.';
      else if (WHOLE.test(first.trim()) && BigInt(first.trim()) > BigInt(last.trim())) found.last = 'The last serial must not be before the first.';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const input =
      action === 'REVERSE'
        ? { action, correctsTransactionId: corrects.trim(), reason }
        : { action, correctsTransactionId: corrects.trim() === '' ? null : corrects.trim(), fromAccountId: from.trim(), toAccountId: to.trim(), seriesId: series.trim(), firstSerial: BigInt(first.trim()), lastSerial: BigInt(last.trim()), reason };
    // A sensitive act: the registry may ask for a fresh passkey confirmation first (A6R-7).
    void run(async () => {
      await keys.send((idempotencyKey) => correct.mutateAsync({ ...input, idempotencyKey }));
    }).catch(() => undefined);
  };

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Make a correction</CardTitle>
        </CardHeader>
        <CardContent>
          <form onSubmit={submit} className="space-y-4" noValidate>
            <Field label="Action">
              {(control) => (
                <Select {...control} value={action} onChange={(e) => setAction(e.target.value as Action)}>
                  {ACTIONS.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label={action === 'WITHHOLD' ? 'Transaction it concerns (optional)' : 'Transaction to correct'} error={errors.corrects}>
              {(control) => <Input {...control} value={corrects} onChange={(e) => setCorrects(e.target.value)} className="font-mono" />}
            </Field>
            {action === 'REVERSE' ? null : (
              <>
                <div className="grid gap-4 sm:grid-cols-2">
                  <Field label="From account" error={errors.from}>
                    {(control) => <Input {...control} value={from} onChange={(e) => setFrom(e.target.value)} />}
                  </Field>
                  <Field label={action === 'CANCEL_ISSUANCE' ? 'Administrative cancellation account' : 'Administrative holding account'} error={errors.to}>
                    {(control) => <Input {...control} value={to} onChange={(e) => setTo(e.target.value)} />}
                  </Field>
                </div>
                <Field label="Series" error={errors.series}>
                  {(control) => <Input {...control} value={series} onChange={(e) => setSeries(e.target.value)} className="font-mono" />}
                </Field>
                <div className="grid gap-4 sm:grid-cols-2">
                  <Field label="First serial" error={errors.first}>
                    {(control) => <Input {...control} inputMode="numeric" value={first} onChange={(e) => setFirst(e.target.value)} />}
                  </Field>
                  <Field label="Last serial" error={errors.last}>
                    {(control) => <Input {...control} inputMode="numeric" value={last} onChange={(e) => setLast(e.target.value)} />}
                  </Field>
                </div>
              </>
            )}
            <Field label="Reason" error={errors.reason}>
              {(control) => <Input {...control} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />}
            </Field>
            <Button type="submit" disabled={correct.isPending}>
              {correct.isPending ? 'Recording…' : 'Record the correction'}
            </Button>
            {prompt}
            {correct.isError && !needsStepUp(correct.error) ? (
              <Alert tone="error" role="alert">
                <AlertTitle>The request failed</AlertTitle>
                {errorMessages(correct.error).map((m) => (
                  <p key={m}>{m}</p>
                ))}
              </Alert>
            ) : null}
            {correct.data ? <OutcomeMessage outcome={correct.data} recorded="The correction is recorded." /> : null}
          </form>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Recent corrections</CardTitle>
        </CardHeader>
        {overview.isError ? (
          <CardContent>
            <p>{errorMessages(overview.error).join(' ')}</p>
          </CardContent>
        ) : !overview.data || overview.data.corrections.length === 0 ? (
          <CardContent>
            <p>{overview.isPending ? 'Loading…' : 'No correction has been made.'}</p>
          </CardContent>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>When</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Corrects</TableHead>
                <TableHead>Rules broken</TableHead>
                <TableHead>Reason</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {overview.data.corrections.map((c) => (
                <TableRow key={c.id}>
                  <TableHead scope="row">{c.createdAt.toISOString().replace('T', ' ').slice(0, 16)} UTC</TableHead>
                  <TableCell>{c.subject}</TableCell>
                  <TableCell className="font-mono text-xs">{c.scopeId || '—'}</TableCell>
                  <TableCell>{Array.isArray(c.body.brokenRules) && c.body.brokenRules.length > 0 ? (c.body.brokenRules as { rule: string; code: number }[]).map((b) => `${b.rule} (${b.code})`).join(', ') : 'none'}</TableCell>
                  <TableCell>{String(c.body.reason ?? '')}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
    </div>
  );
}
