'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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
import { RangeFields } from './authorization-range-fields';
import { rangeProblems, type RangeRow } from './authorization-ranges';

type Uses = 'NDC' | 'OIMP' | 'BOTH';
type Mode = 'conditions' | 'ranges';
type OimpEvent = 'AUTHORIZATION' | 'ISSUANCE' | 'USE_OR_CANCELLATION';

const PARTY = /^[A-Z]{3}$/;

/** The events that can be an OIMP first transfer for each way of naming the units (docs/rules.md). */
const OIMP_EVENTS: Record<Mode, readonly [OimpEvent, string][]> = {
  conditions: [
    ['USE_OR_CANCELLATION', 'When the units are used or cancelled'],
    ['ISSUANCE', 'At issuance'],
  ],
  ranges: [
    ['USE_OR_CANCELLATION', 'When the units are used or cancelled'],
    ['AUTHORIZATION', 'This authorization'],
  ],
};

/**
 * Records an authorization (A6R-45): of a Party's units meeting conditions (a vintage range), or of
 * specific serial ranges of units that exist here. The ledger checks every field again and refuses,
 * with the field named, what it cannot record.
 */
export function AuthorizeForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const authorize = useMutation(trpc.rules.authorize.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [party, setParty] = useState('');
  const [uses, setUses] = useState<Uses>('NDC');
  const [mode, setMode] = useState<Mode>('conditions');
  const [oimpFirstTransfer, setOimpFirstTransfer] = useState<OimpEvent>('USE_OR_CANCELLATION');
  const [vintageFrom, setVintageFrom] = useState('');
  const [vintageTo, setVintageTo] = useState('');
  const [rows, setRows] = useState<RangeRow[]>([{ key: 0, seriesId: '', first: '', last: '' }]);
  const [nextKey, setNextKey] = useState(1);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const partyValid = PARTY.test(party.trim());
  const series = useQuery({ ...trpc.rules.authorizableSeries.queryOptions({ party: party.trim() }), enabled: mode === 'ranges' && partyValid });

  const changeRow = (key: number, patch: Partial<RangeRow>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const changeMode = (next: Mode) => {
    setMode(next);
    // An event that does not fit the new way of naming units falls back to use or cancellation.
    if (!OIMP_EVENTS[next].some(([event]) => event === oimpFirstTransfer)) setOimpFirstTransfer('USE_OR_CANCELLATION');
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!partyValid) found.party = 'Enter the Party as an ISO 3166-1 alpha-3 code, e.g. GHA.';
    if (mode === 'conditions') {
      for (const [field, value] of [['vintageFrom', vintageFrom], ['vintageTo', vintageTo]] as const) if (value.trim() !== '' && !/^(19|20|21)[0-9]{2}$/.test(value.trim())) found[field] = 'Enter a year, e.g. 2025, or leave it empty.';
    } else if (partyValid) {
      Object.assign(found, rangeProblems(rows, series.data));
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const units =
      mode === 'conditions'
        ? { mode: 'conditions' as const, conditions: { ...(vintageFrom.trim() ? { vintageFrom: Number(vintageFrom.trim()) } : {}), ...(vintageTo.trim() ? { vintageTo: Number(vintageTo.trim()) } : {}) } }
        : { mode: 'ranges' as const, ranges: rows.map((r) => ({ seriesId: r.seriesId, firstSerial: BigInt(r.first.trim()), lastSerial: BigInt(r.last.trim()) })) };
    const input = { party: party.trim(), uses, units, oimpFirstTransfer: uses === 'NDC' ? null : oimpFirstTransfer, applicableFrom: null, supersedes: null };
    // A sensitive act: the registry may ask for a fresh passkey confirmation first (A6R-7).
    void run(async () => {
      await keys.send((idempotencyKey) => authorize.mutateAsync({ ...input, idempotencyKey }));
    }).catch(() => undefined);
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Record an authorization</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="space-y-4" noValidate>
          <p className="text-sm text-muted">The Party authorizes its units meeting conditions, or specific serial ranges of its units. It applies from 00:00 UTC of the next day, and at least 12 hours from now.</p>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Authorizing Party" error={errors.party}>
              {(control) => <Input {...control} value={party} onChange={(e) => setParty(e.target.value.toUpperCase())} maxLength={3} />}
            </Field>
            <Field label="Authorized use">
              {(control) => (
                <Select {...control} value={uses} onChange={(e) => setUses(e.target.value as Uses)}>
                  <option value="NDC">NDC use</option>
                  <option value="OIMP">Other international mitigation purposes</option>
                  <option value="BOTH">Both</option>
                </Select>
              )}
            </Field>
          </div>
          <fieldset>
            <legend className="text-sm font-medium">Which units</legend>
            <div className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
              {(
                [
                  ['conditions', 'Units meeting conditions'],
                  ['ranges', 'Specific serial ranges'],
                ] as const
              ).map(([value, label]) => (
                <label key={value} className="flex min-h-10 items-center gap-2 text-sm">
                  <input type="radio" name="authorization-units" value={value} checked={mode === value} onChange={() => changeMode(value)} className="size-6 accent-primary" />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
          {uses === 'NDC' ? null : (
            <Field label="First transfer for OIMP">
              {(control) => (
                <Select {...control} value={oimpFirstTransfer} onChange={(e) => setOimpFirstTransfer(e.target.value as OimpEvent)}>
                  {OIMP_EVENTS[mode].map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          )}
          {mode === 'conditions' ? (
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Vintages from (optional)" error={errors.vintageFrom}>
                {(control) => <Input {...control} inputMode="numeric" value={vintageFrom} onChange={(e) => setVintageFrom(e.target.value)} />}
              </Field>
              <Field label="Vintages to (optional)" error={errors.vintageTo}>
                {(control) => <Input {...control} inputMode="numeric" value={vintageTo} onChange={(e) => setVintageTo(e.target.value)} />}
              </Field>
            </div>
          ) : (
            <RangeFields
              partyValid={partyValid}
              series={series.data}
              loadError={series.isError ? series.error : null}
              rows={rows}
              errors={errors}
              onChange={changeRow}
              onAdd={() => {
                setRows((all) => [...all, { key: nextKey, seriesId: '', first: '', last: '' }]);
                setNextKey((k) => k + 1);
              }}
              onRemove={(key) => setRows((all) => all.filter((r) => r.key !== key))}
            />
          )}
          <Button type="submit" disabled={authorize.isPending}>
            {authorize.isPending ? 'Recording…' : 'Record the authorization'}
          </Button>
          {prompt}
          {authorize.isError ? <RequestFailure error={authorize.error} /> : null}
          {authorize.data ? <OutcomeMessage outcome={authorize.data} recorded="The authorization is recorded." /> : null}
        </form>
      </CardContent>
    </Card>
  );
}
