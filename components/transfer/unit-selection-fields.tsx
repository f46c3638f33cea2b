'use client';

import { formatUnits } from '../format';
import type { BlockView } from '../router-types';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { fieldId, type FieldErrors, type TransferFields } from './transfer-fields';

interface UnitSelectionProps {
  readonly fields: TransferFields;
  readonly errors: FieldErrors;
  readonly blocks: readonly BlockView[] | undefined;
  readonly block: BlockView | undefined;
  readonly onChange: (patch: Partial<TransferFields>) => void;
}

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

/** "By serial range": a block of the account, then the range inside it (the whole block unless narrowed). */
export function SerialRangeFields({ fields, errors, blocks, block, onChange }: UnitSelectionProps) {
  const hint = !blocks
    ? 'Choose the account first to see its blocks.'
    : blocks.length === 0
      ? 'This account holds no units.'
      : block
        ? `This block holds serials ${block.firstSerial.toString()} to ${block.lastSerial.toString()}.`
        : undefined;
  return (
    <div className="space-y-4">
      <Field id={fieldId('blockId')} label="Block" hint={hint} error={errors.blockId}>
        {(control) => (
          <Select
            {...control}
            value={block?.id.toString() ?? ''}
            disabled={!blocks || blocks.length === 0}
            onChange={(e) => {
              const picked = blocks?.find((b) => b.id.toString() === e.target.value);
              onChange({ blockId: e.target.value, firstSerial: picked?.firstSerial.toString() ?? '', lastSerial: picked?.lastSerial.toString() ?? '' });
            }}
          >
            <option value="">Choose a block</option>
            {blocks?.map((b) => (
              <option key={b.id.toString()} value={b.id.toString()}>
                {`${b.serialRange} (${formatUnits(b.quantity)} ${b.unitType}, vintage ${b.vintage})`}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={fieldId('firstSerial')} label="First serial" error={errors.firstSerial}>
          {(control) => <Input {...control} inputMode="numeric" autoComplete="off" value={fields.firstSerial} onChange={(e) => onChange({ firstSerial: e.target.value })} />}
        </Field>
        <Field id={fieldId('lastSerial')} label="Last serial" error={errors.lastSerial}>
          {(control) => <Input {...control} inputMode="numeric" autoComplete="off" value={fields.lastSerial} onChange={(e) => onChange({ lastSerial: e.target.value })} />}
        </Field>
      </div>
    </div>
  );
}
