'use client';

import { formatUnits } from '../../format';
import { Button } from '../../ui/button';
import { Field } from '../../ui/field';
import { Input, Select } from '../../ui/input';
import { RequestFailure } from '../request-failure';
import { MAX_RANGES, rangePreview, type RangeRow, type Series } from './authorization-ranges';

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

/** The serial ranges of an authorization, each with its series, first and last serial, and its serials as printed. */
export function RangeFields({ partyValid, series, loadError, rows, errors, onChange, onAdd, onRemove }: RangeFieldsProps) {
  if (!partyValid) return <p className="text-sm text-muted">Enter the authorizing Party first to choose among its units.</p>;
  if (loadError) return <RequestFailure error={loadError} />;
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
