'use client';

import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { fieldId } from './transfer-fields';
import type { UnitSelectionProps } from './unit-selection';

const distinct = <T,>(values: readonly T[]): T[] => [...new Set(values)];

/** "By quantity": how many units, optionally narrowed to a unit type, host Party and vintage held in the account. */
export function QuantityFields({ fields, errors, blocks, onChange }: UnitSelectionProps) {
  const held = blocks ?? [];
  const constraints = [
    { field: 'unitType', label: 'Unit type', values: distinct(held.map((b) => b.unitType)).sort() },
    { field: 'hostParty', label: 'Host Party', values: distinct(held.map((b) => b.hostParty)).sort() },
    { field: 'vintage', label: 'Vintage', values: distinct(held.map((b) => String(b.vintage))).sort() },
  ] as const;
  return (
    <div className="space-y-4">
      <Field id={fieldId('quantity')} label="Quantity" hint="The number of units to transfer, a whole number." error={errors.quantity}>
        {(control) => <Input {...control} inputMode="numeric" autoComplete="off" className="max-w-xs" value={fields.quantity} onChange={(e) => onChange({ quantity: e.target.value })} />}
      </Field>
      <fieldset className="rounded-md border border-border p-4">
        <legend className="px-1 text-sm font-medium">Only units matching (optional)</legend>
        <p className="mb-3 text-sm text-muted">{blocks ? 'Leave a choice on “Any” to take units of every kind.' : 'Choose the account first to see what it holds.'}</p>
        <div className="grid gap-4 sm:grid-cols-3">
          {constraints.map(({ field, label, values }) => (
            <Field key={field} id={fieldId(field)} label={label}>
              {(control) => (
                <Select {...control} value={fields[field]} onChange={(e) => onChange({ [field]: e.target.value })} disabled={!blocks}>
                  <option value="">Any</option>
                  {values.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
