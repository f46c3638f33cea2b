'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { humanBlock } from '@/server/ledger/serial';
import { formatUnits } from '../format';
import type { RouterOutputs } from '../router-types';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { Button } from '../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { needsStepUp, useStepUp } from '../passkey/use-step-up';
import { OutcomeMessage } from './outcome-message';

type Series = RouterOutputs['rules']['authorizableSeries'][number];
type Uses = 'NDC' | 'OIMP' | 'BOTH';
type Mode = 'conditions' | 'ranges';
type OimpEvent = 'AUTHORIZATION' | 'ISSUANCE' | 'USE_OR_CANCELLATION';

interface RangeRow {
  readonly key: number;
  readonly seriesId: string;
  readonly first: string;
  readonly last: string;
}

const WHOLE = /^[1-9][0-9]{0,18}$/;
const MAX_RANGES = 1_000;
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

function Failure({ error }: { error: unknown }) {
  if (needsStepUp(error)) return null;
  return (
    <Alert tone="error" role="alert">
      <AlertTitle>The request failed</AlertTitle>
      {errorMessages(error).map((m) => (
        <p key={m}>{m}</p>
      ))}
    </Alert>
  );
}

/** The range as human-readable serials (A6R-40), once its series and serials are valid. */
function rangePreview(series: Series | undefined, row: RangeRow): string | null {
  if (!series || !WHOLE.test(row.first.trim()) || !WHOLE.test(row.last.trim())) return null;
  const first = BigInt(row.first.trim());
  const last = BigInt(row.last.trim());
  return first <= last ? humanBlock(series, first, last) : null;
}

/** Problems of the ranges, keyed by the field's id; each message names the range and the field. */
function rangeProblems(rows: readonly RangeRow[], series: readonly Series[] | undefined): Record<string, string> {
  const found: Record<string, string> = {};
  if (rows.length === 0) found.ranges = 'Add at least one serial range.';
  if (rows.length > MAX_RANGES) found.ranges = `An authorization lists at most ${MAX_RANGES} serial ranges.`;
  rows.forEach((row, i) => {
    const n = i + 1;
    const chosen = series?.find((s) => s.seriesId === row.seriesId);
    if (!chosen) found[`series-${row.key}`] = `Range ${n}: choose the series of the units.`;
    const first = row.first.trim();
    const last = row.last.trim();
    if (!WHOLE.test(first)) found[`first-${row.key}`] = `Range ${n}: the first serial must be a whole number greater than zero.`;
    if (!WHOLE.test(last)) found[`last-${row.key}`] = `Range ${n}: the last serial must be a whole number greater than zero.`;
    else if (WHOLE.test(first) && BigInt(first) > BigInt(last)) found[`last-${row.key}`] = `Range ${n}: the last serial must not be before the first.`;
    else if (chosen && WHOLE.test(first) && (BigInt(first) < chosen.firstSerial || BigInt(last) > chosen.lastSerial)) {
      found[`last-${row.key}`] = `Range ${n}: this series has units only from serial ${chosen.firstSerial.toString()} to ${chosen.lastSerial.toString()}.`;
    }
  });
  return found;
}

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
          {authorize.isError ? <Failure error={authorize.error} /> : null}
          {authorize.data ? <OutcomeMessage outcome={authorize.data} recorded="The authorization is recorded." /> : null}
        </form>
      </CardContent>
    </Card>
  );
}

interface RangeFieldsProps {
  readonly partyValid: boolean;
  readonly series: readonly Series[] | undefined;
  readonly loadError: unknown;
  readonly rows: readonly RangeRow[];
  readonly errors: Record<string, string>;
  readonly onChange: (key: number, patch: Partial<RangeRow>) => void;
  readonly onAdd: () => void;
  readonly onRemove: (key: number) => void;
}

function RangeFields({ partyValid, series, loadError, rows, errors, onChange, onAdd, onRemove }: RangeFieldsProps) {
  if (!partyValid) return <p className="text-sm text-muted">Enter the authorizing Party first to choose among its units.</p>;
  if (loadError) return <Failure error={loadError} />;
  if (!series) return <p role="status">Loading the Party’s units…</p>;
  if (series.length === 0) return <p>No units of this Party exist in this registry: authorize by conditions instead.</p>;
  return (
    <div className="space-y-4">
      {errors.ranges ? (
        <p role="alert" className="text-sm text-red-800">
          {errors.ranges}
        </p>
      ) : null}
      {rows.map((row, i) => {
        const chosen = series.find((s) => s.seriesId === row.seriesId);
        const preview = rangePreview(chosen, row);
        return (
          <fieldset key={row.key} className="space-y-3 rounded-md border border-border p-4">
            <legend className="px-1 text-sm font-medium">Range {i + 1}</legend>
            <Field id={`authorization-series-${row.key}`} label="Series" hint={chosen ? `Serials ${chosen.span} (${formatUnits(chosen.units)} units held here).` : undefined} error={errors[`series-${row.key}`]}>
              {(control) => (
                <Select {...control} value={row.seriesId} onChange={(e) => onChange(row.key, { seriesId: e.target.value })}>
                  <option value="">Choose a series</option>
                  {series.map((s) => (
                    <option key={s.seriesId} value={s.seriesId}>
                      {`${s.unitType}, ${s.activityId}, vintage ${s.vintage} (${s.cooperativeApproachId ?? 'NA'}-${s.originatingRegistry}-${s.firstTransferringParty}, serials ${s.firstSerial.toString()}–${s.lastSerial.toString()})`}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id={`authorization-first-${row.key}`} label="First serial" error={errors[`first-${row.key}`]}>
                {(control) => <Input {...control} inputMode="numeric" autoComplete="off" value={row.first} onChange={(e) => onChange(row.key, { first: e.target.value })} />}
              </Field>
              <Field id={`authorization-last-${row.key}`} label="Last serial" error={errors[`last-${row.key}`]}>
                {(control) => <Input {...control} inputMode="numeric" autoComplete="off" value={row.last} onChange={(e) => onChange(row.key, { last: e.target.value })} />}
              </Field>
            </div>
            {preview ? (
              <p className="font-mono text-xs [overflow-wrap:anywhere]" aria-live="polite">
                {preview}
              </p>
            ) : null}
            {rows.length > 1 ? (
              <Button size="sm" variant="secondary" onClick={() => onRemove(row.key)}>
                Remove range {i + 1}
              </Button>
            ) : null}
          </fieldset>
        );
      })}
      <Button size="sm" variant="secondary" onClick={onAdd} disabled={rows.length >= MAX_RANGES}>
        Add a serial range
      </Button>
    </div>
  );
}
