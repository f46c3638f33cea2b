'use client';

import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { formatUnits } from '../format';
import type { AccountLookup, AccountSummary } from '../router-types';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { QuantityFields } from './quantity-fields';
import { SerialRangeFields } from './serial-range-fields';
import { ToAccountHint } from './to-account-hint';
import { CHECKED_FIELDS, chosenBlock, fieldId, validateTransfer, type FieldErrors, type InitialTransfer, type PreparedTransfer, type TransferFields } from './transfer-fields';

interface EditorProps {
  readonly accounts: readonly AccountSummary[];
  readonly initial: InitialTransfer;
  readonly fields: TransferFields;
  readonly setFields: (update: (fields: TransferFields) => TransferFields) => void;
  readonly onReview: (transfer: PreparedTransfer) => void;
}

/** The first step: the accounts, the units and how to choose them, each field checked before the review. */
export function TransferEditor({ accounts, initial, fields, setFields, onReview }: EditorProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [checking, setChecking] = useState(false);
  // The acquiring account is looked up when its field loses focus, and again on review.
  const [lookupId, setLookupId] = useState(fields.toAccountId.trim());
  const lookup = useQuery(trpc.account.lookup.queryOptions(lookupId ? { id: lookupId } : skipToken));
  const fromAccountId = accounts.some((a) => a.id === fields.fromAccountId) ? fields.fromAccountId : '';
  const held = useQuery(trpc.account.get.queryOptions(fromAccountId ? { id: fromAccountId } : skipToken));
  const blocks = held.data?.blocks;
  const block = chosenBlock(fields, blocks ?? [], initial);

  const change = (patch: Partial<TransferFields>) => {
    setFields((current) => ({ ...current, ...patch }));
    // An edited field's old complaint no longer applies; the rest stay until the next review.
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([field]) => !(field in patch))));
  };

  async function review(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (checking) return;
    const checked = validateTransfer({ ...fields, fromAccountId }, block);
    const found: FieldErrors = checked.ok ? {} : { ...checked.errors };
    const toId = fields.toAccountId.trim();
    let to: AccountLookup | undefined;
    if (!found.toAccountId) {
      setChecking(true);
      setLookupId(toId);
      try {
        to = await queryClient.fetchQuery(trpc.account.lookup.queryOptions({ id: toId }));
      } catch (error) {
        found.toAccountId = errorMessages(error).join(' ');
      } finally {
        setChecking(false);
      }
    }
    const from = accounts.find((a) => a.id === fromAccountId);
    if (checked.ok && to && from && Object.keys(found).length === 0) {
      onReview({ from, to, selection: checked.selection, quantity: checked.quantity, block: checked.selection.mode === 'explicit' ? block : undefined });
      return;
    }
    // Render the messages before moving focus, so that the first invalid field is announced with its message.
    flushSync(() => setErrors(found));
    const first = CHECKED_FIELDS.find((field) => found[field]);
    if (first) document.getElementById(fieldId(first))?.focus();
  }

  const currentTo = fields.toAccountId.trim();
  const lookupShown = lookupId !== '' && lookupId === currentTo;
  const toError = errors.toAccountId ?? (lookupShown && lookup.isError ? errorMessages(lookup.error).join(' ') : undefined);

  return (
    <form noValidate onSubmit={review} className="space-y-6 rounded-lg border border-border bg-white p-4 sm:p-6">
      <Field id={fieldId('fromAccountId')} label="From account" error={errors.fromAccountId}>
        {(control) => (
          <Select {...control} value={fromAccountId} onChange={(e) => change({ fromAccountId: e.target.value, unitType: '', hostParty: '', vintage: '', blockId: '', firstSerial: '', lastSerial: '' })}>
            <option value="">Choose an account</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {`${a.id} – ${a.name} (${formatUnits(a.balance)} units)`}
              </option>
            ))}
          </Select>
        )}
      </Field>

      <Field id={fieldId('toAccountId')} label="To account" hint={<ToAccountHint lookup={lookupShown ? lookup : undefined} />} error={toError}>
        {(control) => <Input {...control} autoComplete="off" spellCheck={false} className="max-w-md" value={fields.toAccountId} onChange={(e) => change({ toAccountId: e.target.value })} onBlur={() => setLookupId(currentTo)} />}
      </Field>

      <fieldset>
        <legend className="text-sm font-medium">How to choose units</legend>
        <div className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
          {(
            [
              ['implicit', 'By quantity'],
              ['explicit', 'By serial range'],
            ] as const
          ).map(([mode, label]) => (
            <label key={mode} className="flex min-h-10 items-center gap-2 text-sm">
              <input type="radio" name="mode" value={mode} checked={fields.mode === mode} onChange={() => change({ mode })} className="size-6 accent-primary" />
              {label}
            </label>
          ))}
        </div>
      </fieldset>

      {fields.mode === 'implicit' ? (
        <QuantityFields fields={fields} errors={errors} blocks={blocks} block={block} onChange={change} />
      ) : (
        <SerialRangeFields fields={fields} errors={errors} blocks={blocks} block={block} onChange={change} />
      )}

      <div className="flex items-center gap-4">
        <Button type="submit" aria-disabled={checking || undefined}>
          Review transfer
        </Button>
        {checking ? <span role="status">Checking the details…</span> : null}
      </div>
    </form>
  );
}
