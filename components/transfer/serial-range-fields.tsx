'use client';

import { formatUnits } from '../format';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { fieldId } from './transfer-fields';
import type { UnitSelectionProps } from './unit-selection';

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
