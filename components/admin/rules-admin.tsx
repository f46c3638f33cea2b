'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { RouterInputs, RouterOutputs } from '../router-types';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { needsStepUp, useStepUp } from '../passkey/use-step-up';
import { humanBlock } from '@/server/ledger/serial';
import { AuthorizeForm } from './authorize-form';
import { OutcomeMessage } from './outcome-message';

type Overview = RouterOutputs['rules']['overview'];
type ScopeType = 'REGISTRY' | 'COOPERATIVE_APPROACH' | 'SECTION' | 'ACCOUNT';
const SCOPES: readonly [ScopeType, string][] = [
  ['REGISTRY', 'The whole registry'],
  ['COOPERATIVE_APPROACH', 'A cooperative approach'],
  ['SECTION', 'A Party section'],
  ['ACCOUNT', 'An account'],
];

const when = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');
const scopeText = (type: string, id: string) => (type === 'REGISTRY' ? 'registry' : `${type.toLowerCase().replace('_', ' ')} ${id}`);

/** Errors of a failed call, as an alert; a request for a passkey confirmation is the step-up prompt's. */
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

/**
 * Rules administration (docs/rules.md): the catalog of rule versions, where each pluggable rule applies
 * and with which settings, suspensions, transfers that wait, and the compliance report. Every change is
 * a ledger transaction; refusals come back with their codes and reasons.
 */
export function RulesAdmin() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.rules.overview.queryOptions());
  if (overview.isPending) return <p role="status">Loading the rules…</p>;
  if (overview.isError) return <Failure error={overview.error} />;
  const data = overview.data;
  return (
    <div className="space-y-6">
      <Catalog catalog={data.catalog} />
      <Settings data={data} />
      <ConfigureForm catalog={data.catalog} />
      <Suspensions data={data} />
      <SuspendForm catalog={data.catalog} />
      <Waiting data={data} />
      <Authorizations data={data} />
      <AuthorizeForm />
      <Compliance />
    </div>
  );
}

function Catalog({ catalog }: { catalog: Overview['catalog'] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Rule versions</CardTitle>
      </CardHeader>
      <Table>
        <TableCaption>Every published version; a newer version supersedes the older from its date.</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Rule</TableHead>
            <TableHead>Version</TableHead>
            <TableHead>Kind</TableHead>
            <TableHead>In force</TableHead>
            <TableHead>What it does</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {catalog.map((r) => (
            <TableRow key={`${r.name}-${r.version}`}>
              <TableHead scope="row" className="font-mono">
                {r.name}
              </TableHead>
              <TableCell>v{r.version}</TableCell>
              <TableCell>
                <Badge tone={r.kind === 'built-in' ? 'neutral' : 'info'}>{r.kind}</Badge>
              </TableCell>
              <TableCell>
                from {r.effectiveFrom.slice(0, 10)}
                {r.retiresAt ? `, retires ${r.retiresAt.slice(0, 10)}` : ''}
              </TableCell>
              <TableCell>{r.summary}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}

function Settings({ data }: { data: Overview }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Where rules apply</CardTitle>
      </CardHeader>
      {data.settings.length === 0 ? (
        <CardContent>
          <p>No pluggable rule is configured: only the built-in rules apply.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption>The latest setting of each rule in each scope; the most specific scope governs a transaction.</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Rule</TableHead>
              <TableHead>Scope</TableHead>
              <TableHead>Applies</TableHead>
              <TableHead>Settings</TableHead>
              <TableHead>Since</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.settings.map((s) => (
              <TableRow key={s.id}>
                <TableHead scope="row" className="font-mono">
                  {s.rule}
                </TableHead>
                <TableCell>{scopeText(s.scopeType, s.scopeId)}</TableCell>
                <TableCell>{s.enabled ? 'yes' : 'switched off'}</TableCell>
                <TableCell className="font-mono text-xs">{JSON.stringify(s.settings)}</TableCell>
                <TableCell>
                  {when(s.createdAt)} (revision {s.revision})
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}

interface ScopeFieldsProps {
  readonly type: ScopeType;
  readonly id: string;
  readonly onType: (type: ScopeType) => void;
  readonly onId: (id: string) => void;
}

function ScopeFields({ type, id, onType, onId }: ScopeFieldsProps) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field label="Scope">
        {(control) => (
          <Select {...control} value={type} onChange={(e) => onType(e.target.value as ScopeType)}>
            {SCOPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {type === 'REGISTRY' ? null : (
        <Field label="Id of the approach, section or account" hint="For example CA0001, GHA or GHA-100-0001.">
          {(control) => <Input {...control} value={id} onChange={(e) => onId(e.target.value)} />}
        </Field>
      )}
    </div>
  );
}

type Scope = RouterInputs['rules']['configure']['scope'];
const scopeOf = (type: ScopeType, id: string): Scope => (type === 'REGISTRY' ? { type } : { type, id: id.trim() });

function ConfigureForm({ catalog }: { catalog: Overview['catalog'] }) {
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
          {configure.isError ? <Failure error={configure.error} /> : null}
          {configure.data ? <OutcomeMessage outcome={configure.data} recorded="The configuration is recorded." /> : null}
        </form>
      </CardContent>
    </Card>
  );
}

function Suspensions({ data }: { data: Overview }) {
  const now = data.now.getTime();
  const [lifting, setLifting] = useState<Overview['suspensions'][number] | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Suspensions</CardTitle>
      </CardHeader>
      {data.suspensions.length === 0 ? (
        <CardContent>
          <p>No rule has been suspended.</p>
        </CardContent>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Rule</TableHead>
              <TableHead>Scope</TableHead>
              <TableHead>Window</TableHead>
              <TableHead>State</TableHead>
              <TableHead>Reason</TableHead>
              <TableHead>Lift early</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.suspensions.map((s) => {
              // A suspension lifted early ends when it was lifted.
              const end = s.lifted && (!s.validUntil || s.lifted.at < s.validUntil) ? s.lifted.at : s.validUntil;
              const over = end !== null && end.getTime() <= now;
              const active = !over && s.validFrom !== null && s.validFrom.getTime() <= now;
              const state = s.lifted ? `lifted ${when(s.lifted.at)}` : active ? 'in force' : over ? 'over' : 'scheduled';
              return (
                <TableRow key={s.id}>
                  <TableHead scope="row" className="font-mono">
                    {s.subject}
                  </TableHead>
                  <TableCell>{scopeText(s.scopeType, s.scopeId)}</TableCell>
                  <TableCell>
                    {when(s.validFrom)} – {when(s.validUntil)}
                  </TableCell>
                  <TableCell>
                    <Badge tone={active ? 'warning' : 'neutral'}>{state}</Badge>
                  </TableCell>
                  <TableCell>
                    {String(s.body.reason ?? '')}
                    {s.lifted ? <span className="block text-sm text-muted">Lifted: {s.lifted.reason}</span> : null}
                  </TableCell>
                  <TableCell>
                    {s.lifted || over ? (
                      <span className="text-sm text-muted">—</span>
                    ) : (
                      <Button size="sm" variant="secondary" aria-label={`Lift the suspension of ${s.subject} for the ${scopeText(s.scopeType, s.scopeId)}`} aria-expanded={lifting?.id === s.id} onClick={() => setLifting(s)}>
                        Lift…
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {lifting ? <LiftForm key={lifting.id} suspension={lifting} onClose={() => setLifting(null)} /> : null}
    </Card>
  );
}

/** Lifting a suspension before its window ends: a logged act with its reason (A6R-17). */
function LiftForm({ suspension, onClose }: { suspension: Overview['suspensions'][number]; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lift = useMutation(trpc.rules.lift.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() === '') {
      setError('Give the reason for lifting the suspension.');
      return;
    }
    setError(undefined);
    void run(async () => {
      await keys.send((idempotencyKey) => lift.mutateAsync({ idempotencyKey, suspensionId: suspension.id, reason }));
    }).catch(() => undefined);
  };
  return (
    <CardContent>
      <form onSubmit={submit} className="space-y-4 border-t border-border pt-4" noValidate aria-labelledby={`lift-${suspension.id}`}>
        <h3 id={`lift-${suspension.id}`} ref={headingRef} tabIndex={-1} className="font-semibold">
          Lift the suspension of {suspension.subject} for the {scopeText(suspension.scopeType, suspension.scopeId)}
        </h3>
        <p className="text-sm text-muted">From the moment it is lifted, the rule judges every transaction again. Transactions already recorded stay as they were judged.</p>
        <Field label="Reason for lifting" error={error}>
          {(control) => <Input {...control} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />}
        </Field>
        <div className="space-x-2">
          <Button type="submit" disabled={lift.isPending || lift.data?.status === 'RECORDED'}>
            {lift.isPending ? 'Recording…' : 'Lift the suspension now'}
          </Button>
          <Button type="button" variant="secondary" onClick={onClose}>
            {lift.data?.status === 'RECORDED' ? 'Close' : 'Cancel'}
          </Button>
        </div>
        {prompt}
        {lift.isError ? <Failure error={lift.error} /> : null}
        {lift.data ? <OutcomeMessage outcome={lift.data} recorded="The suspension is lifted." /> : null}
      </form>
    </CardContent>
  );
}

function SuspendForm({ catalog }: { catalog: Overview['catalog'] }) {
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
          {suspend.isError ? <Failure error={suspend.error} /> : null}
          {suspend.data ? <OutcomeMessage outcome={suspend.data} recorded="The suspension is recorded." /> : null}
        </form>
      </CardContent>
    </Card>
  );
}

function Waiting({ data }: { data: Overview }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const answer = useMutation(trpc.rules.answer.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const keys = useIdempotencyKey();
  // One answer per waiting transfer: its approval and its rejection share a key, so that a retried
  // approval can never be followed by a rejection recorded as well.
  const decide = (reservationTransactionId: string, decision: 'APPROVE' | 'REJECT') => void keys.send((idempotencyKey) => answer.mutateAsync({ idempotencyKey, reservationTransactionId, decision }), `answer:${reservationTransactionId}`).catch(() => undefined);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Transfers waiting for approval</CardTitle>
      </CardHeader>
      {data.reservations.length === 0 ? (
        <CardContent>
          <p>No transfer waits.</p>
        </CardContent>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Transaction</TableHead>
              <TableHead>From → to</TableHead>
              <TableHead>Units</TableHead>
              <TableHead>Proposed by</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead>Answer</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.reservations.map((r) => (
              <TableRow key={r.id}>
                <TableHead scope="row" className="font-mono text-xs">
                  {r.transactionId}
                </TableHead>
                <TableCell>
                  {String(r.body.fromAccountId)} → {String(r.body.toAccountId)}
                </TableCell>
                <TableCell>{String(r.body.quantity)}</TableCell>
                <TableCell>{String(r.body.initiatorId)}</TableCell>
                <TableCell>{when(r.validUntil)}</TableCell>
                <TableCell className="space-x-2 whitespace-nowrap">
                  <Button size="sm" disabled={answer.isPending} onClick={() => decide(r.transactionId, 'APPROVE')}>
                    Approve
                  </Button>
                  <Button size="sm" variant="secondary" disabled={answer.isPending} onClick={() => decide(r.transactionId, 'REJECT')}>
                    Reject
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <CardContent>
        {answer.isError ? <Failure error={answer.error} /> : null}
        {answer.data ? <OutcomeMessage outcome={answer.data} recorded="The answer is recorded." /> : null}
      </CardContent>
    </Card>
  );
}

/** Descriptor records (A6R-45): the latest authorizations, with what they cover and from when. */
function Authorizations({ data }: { data: Overview }) {
  const unitsOf = (body: Record<string, unknown>) => {
    const units = body.units as { mode: string; ranges?: { seriesId: string; firstSerial: string; lastSerial: string }[]; conditions?: Record<string, unknown> } | undefined;
    if (!units) return '—';
    if (units.mode === 'ranges') {
      return (units.ranges ?? [])
        .map((r) => {
          const parts = data.serialParts[r.seriesId];
          return parts ? humanBlock(parts, BigInt(r.firstSerial), BigInt(r.lastSerial)) : `${r.seriesId} ${r.firstSerial}–${r.lastSerial}`;
        })
        .join('; ');
    }
    const conditions = Object.entries(units.conditions ?? {});
    return conditions.length === 0 ? 'all units of the Party' : conditions.map(([k, v]) => `${k} ${String(v)}`).join(', ');
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Authorizations</CardTitle>
      </CardHeader>
      {data.authorizations.length === 0 ? (
        <CardContent>
          <p>No authorization has been recorded.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption>Descriptor records, never recalled: a newer record supersedes an older one from its own date.</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Party</TableHead>
              <TableHead>Uses</TableHead>
              <TableHead>Units</TableHead>
              <TableHead>Applies from</TableHead>
              <TableHead>Supersedes</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.authorizations.map((a) => (
              <TableRow key={a.id}>
                <TableHead scope="row">{a.subject}</TableHead>
                <TableCell>
                  {String(a.body.uses)}
                  {a.body.oimpFirstTransfer ? ` (OIMP first transfer: ${String(a.body.oimpFirstTransfer).toLowerCase().replaceAll('_', ' ')})` : ''}
                </TableCell>
                <TableCell className="min-w-44 [overflow-wrap:anywhere]">{unitsOf(a.body)}</TableCell>
                <TableCell>{when(a.validFrom)}</TableCell>
                <TableCell className="font-mono text-xs">{a.body.supersedes ? String(a.body.supersedes) : '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}

/** Compliance rules judge end states; their runs, findings and the on-demand run have a page of their own. */
function Compliance() {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Compliance</CardTitle>
      </CardHeader>
      <CardContent>
        <p>
          Compliance rules are configured above, for the whole registry. Their findings, past runs and the on-demand run are on the <Link href="/admin/compliance" className="underline">compliance page</Link>.
        </p>
      </CardContent>
    </Card>
  );
}
