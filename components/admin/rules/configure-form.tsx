'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../../idempotency/use-idempotency-key';
import { useStepUp } from '../../passkey/use-step-up';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { Field } from '../../ui/field';
import { Select } from '../../ui/input';
import { OutcomeMessage } from '../outcome-message';
import { RequestFailure } from '../request-failure';
import type { Overview } from './overview';
import { scopeOf, type ScopeType } from './scope';
import { ScopeFields } from './scope-fields';

/** Where a pluggable rule applies, and with which settings: a ledger transaction (CONFIGURE_RULE). */
export function ConfigureForm({ catalog }: { catalog: Overview['catalog'] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const configure = useMutation(trpc.rules.configure.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const names = [...new Set(catalog.filter((r) => r.kind !== 'built-in').map((r) => r.name))];
  const [rule, setRule] = useState(names[0] ?? '');
  const [scopeType, setScopeType] = useState<ScopeType>('REGISTRY');
  const [scopeId, setScopeId] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [settingsText, setSettingsText] = useState('{}');
  const [settingsError, setSettingsError] = useState<string | undefined>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let settings: Record<string, string | number | boolean | null>;
    try {
      const parsed: unknown = JSON.parse(settingsText);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      settings = parsed as Record<string, string | number | boolean | null>;
    } catch {
      setSettingsError('Write the settings as a JSON object, for example {"maximum": "1000"}.');
      return;
    }
    setSettingsError(undefined);
    const input = { rule, scope: scopeOf(scopeType, scopeId), enabled, settings };
    // A sensitive act: the registry may ask for a fresh passkey confirmation first (A6R-7).
    void run(async () => {
      await keys.send((idempotencyKey) => configure.mutateAsync({ ...input, idempotencyKey }));
    }).catch(() => undefined);
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Configure a rule</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="space-y-4" noValidate>
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
          <Field label="Applies">
            {(control) => (
              <Select {...control} value={enabled ? 'yes' : 'no'} onChange={(e) => setEnabled(e.target.value === 'yes')}>
                <option value="yes">Yes, with these settings</option>
                <option value="no">No: switch it off in this scope (no settings)</option>
              </Select>
            )}
          </Field>
          <Field label="Settings" hint='A JSON object; quantities as strings, e.g. {"accountId": "FEE-0001", "basisPoints": 25}.' error={settingsError}>
            {(control) => <textarea {...control} value={settingsText} onChange={(e) => setSettingsText(e.target.value)} rows={3} className="block w-full rounded-md border border-border-strong px-3 py-2 font-mono text-sm" />}
          </Field>
          <Button type="submit" disabled={configure.isPending}>
            {configure.isPending ? 'Recording…' : 'Record the configuration'}
          </Button>
          {prompt}
          {configure.isError ? <RequestFailure error={configure.error} /> : null}
          {configure.data ? <OutcomeMessage outcome={configure.data} recorded="The configuration is recorded." /> : null}
        </form>
      </CardContent>
    </Card>
  );
}
