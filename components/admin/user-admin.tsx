'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { useStepUp } from '../passkey/use-step-up';
import { useTRPC } from '../trpc-provider';
import { errorMessages, isNotFound } from '../trpc-error';
import { Alert } from '../ui/alert';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { ROLE_LABELS, scopeLabel } from './labels';

interface Permissions {
  readonly enroll: boolean;
  readonly decide: boolean;
  readonly anonymise: boolean;
  readonly verify: boolean;
  readonly suspendAccess: boolean;
  readonly grant: boolean;
  readonly impersonate: boolean;
}

type Message = { readonly tone: 'success' | 'error'; readonly text: string } | null;

/**
 * One user as an administrator sees them: identity checks, grants with their suspension and
 * revocation, access as a whole, impersonation. Every act is sensitive: the registry asks for a
 * passkey confirmation first when the last one is older than a few minutes (A6R-7).
 */
export function UserAdmin({ userId, can }: { userId: string; can: Permissions }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const user = useQuery(trpc.users.get.queryOptions({ userId }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [message, setMessage] = useState<Message>(null);

  /** One act of the page, named so that each has its own idempotency key (a row's Suspend and Revoke differ). */
  async function act(name: string, what: (idempotencyKey: string) => Promise<unknown>, done: string) {
    setMessage(null);
    await run(async () => {
      await keys.send(what, name);
      await queryClient.invalidateQueries({ queryKey: trpc.users.get.queryKey({ userId }) });
      await queryClient.invalidateQueries({ queryKey: trpc.profile.pending.queryKey({ userId }) });
      setMessage({ tone: 'success', text: done });
    }).catch((error: unknown) => setMessage({ tone: 'error', text: errorMessages(error).join(' ') }));
  }

  const setGrant = useMutation(trpc.grants.setSuspended.mutationOptions());
  const revoke = useMutation(trpc.grants.revoke.mutationOptions());
  const setAccess = useMutation(trpc.users.setAccessSuspended.mutationOptions());
  const impersonate = useMutation(trpc.impersonation.start.mutationOptions());
  const enroll = useMutation(trpc.users.sendEnrollmentLink.mutationOptions());
  const anonymise = useMutation(trpc.users.anonymise.mutationOptions());
  const decide = useMutation(trpc.profile.decide.mutationOptions());
  const pending = useQuery(trpc.profile.pending.queryOptions({ userId }));

  if (user.isPending) return <p role="status">Loading the user…</p>;
  if (user.isError) {
    return (
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">User</h1>
        <Alert tone="error" role="alert">
          {isNotFound(user.error) ? 'There is no such user, or you do not administer them.' : errorMessages(user.error).join(' ')}
        </Alert>
      </div>
    );
  }
  const u = user.data;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">{u.name}</h1>
        <p className="mt-1 text-muted">
          {u.email} · access {u.status === 'ACTIVE' ? 'active' : 'suspended'} · identity {u.verified ? 'verified' : 'not verified'}
        </p>
      </div>
      {prompt}
      {message ? (
        <Alert tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Alert>
      ) : null}

      <div className="flex flex-wrap gap-3">
        {can.suspendAccess ? (
          <Button
            variant={u.status === 'ACTIVE' ? 'danger' : 'secondary'}
            onClick={() => act('access', (idempotencyKey) => setAccess.mutateAsync({ idempotencyKey, userId, suspended: u.status === 'ACTIVE' }), u.status === 'ACTIVE' ? 'Access suspended; every session of this user has ended.' : 'Access restored.')}
          >
            {u.status === 'ACTIVE' ? 'Suspend access and end sessions' : 'Restore access'}
          </Button>
        ) : null}
        {can.enroll && u.status === 'ACTIVE' ? (
          <Button variant="secondary" onClick={() => act('enroll', (idempotencyKey) => enroll.mutateAsync({ idempotencyKey, userId }), `An enrollment link was sent to ${u.email}. It works once and expires in 48 hours.`)}>
            Send enrollment link
          </Button>
        ) : null}
        {can.anonymise && u.status === 'SUSPENDED' && u.name !== 'Anonymised user' ? (
          <Button variant="danger" onClick={() => act('anonymise', (idempotencyKey) => anonymise.mutateAsync({ idempotencyKey, userId }), 'Personal data anonymised. The log keeps only digests that no longer link to anyone.')}>
            Anonymise personal data
          </Button>
        ) : null}
        {can.impersonate && u.status === 'ACTIVE' ? (
          <Button
            variant="secondary"
            onClick={() =>
              act('impersonate', async (idempotencyKey) => {
                await impersonate.mutateAsync({ idempotencyKey, userId });
                // eslint-disable-next-line @next/next/no-location-assign-relative-destination
                window.location.assign('/');
              }, 'Impersonation started.')
            }
          >
            Act as this user
          </Button>
        ) : null}
      </div>

      <Table>
        <TableCaption>Grants</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Role</TableHead>
            <TableHead>Scope</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {u.grants.length === 0 ? (
            <TableRow>
              <TableCell colSpan={4}>No grants.</TableCell>
            </TableRow>
          ) : (
            u.grants.map((g) => {
              const label = `${ROLE_LABELS[g.role] ?? g.role}, ${scopeLabel(g)}`;
              return (
                <TableRow key={g.id}>
                  <TableCell>{ROLE_LABELS[g.role] ?? g.role}</TableCell>
                  <TableCell>{scopeLabel(g)}</TableCell>
                  <TableCell>{g.status === 'ACTIVE' ? 'Active' : 'Suspended'}</TableCell>
                  <TableCell className="space-x-2 whitespace-nowrap">
                    <Button
                      size="sm"
                      variant="secondary"
                      aria-label={`${g.status === 'ACTIVE' ? 'Suspend' : 'Reinstate'} grant: ${label}`}
                      onClick={() => act(`grant-status:${g.id}`, (idempotencyKey) => setGrant.mutateAsync({ idempotencyKey, grantId: g.id, suspended: g.status === 'ACTIVE' }), g.status === 'ACTIVE' ? `Grant suspended: ${label}.` : `Grant reinstated: ${label}.`)}
                    >
                      {g.status === 'ACTIVE' ? 'Suspend' : 'Reinstate'}
                    </Button>
                    <Button size="sm" variant="danger" aria-label={`Revoke grant: ${label}`} onClick={() => act(`revoke:${g.id}`, (idempotencyKey) => revoke.mutateAsync({ idempotencyKey, grantId: g.id }), `Grant revoked: ${label}.`)}>
                      Revoke
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })
          )}
        </TableBody>
      </Table>

      {pending.data && pending.data.length > 0 ? (
        <section aria-labelledby="pending-title" className="space-y-3 rounded-lg border border-border bg-white p-6">
          <h2 id="pending-title" className="text-lg font-semibold">
            Profile change waiting for approval
          </h2>
          {pending.data.map((p) => (
            <div key={p.requestId} className="space-y-2">
              <p>
                Name: {p.current?.name} → <strong>{p.proposed.name}</strong>. Affiliations: {p.proposed.affiliations.join(', ') || 'none'}. Contacts: {p.proposed.contacts.map((c) => `${c.kind} ${c.value}`).join(', ')}.
              </p>
              {can.decide ? (
                <div className="flex gap-2">
                  <Button size="sm" onClick={() => act(`decide:${p.requestId}`, (idempotencyKey) => decide.mutateAsync({ idempotencyKey, requestId: p.requestId, approve: true }), 'Profile change approved.')}>
                    Approve change
                  </Button>
                  <Button size="sm" variant="secondary" onClick={() => act(`decide:${p.requestId}`, (idempotencyKey) => decide.mutateAsync({ idempotencyKey, requestId: p.requestId, approve: false }), 'Profile change rejected.')}>
                    Reject change
                  </Button>
                </div>
              ) : null}
            </div>
          ))}
        </section>
      ) : null}

      <Table>
        <TableCaption>Identity checks</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Checked on</TableHead>
            <TableHead>What</TableHead>
            <TableHead>Outcome</TableHead>
            <TableHead>By</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {u.verifications.length === 0 ? (
            <TableRow>
              <TableCell colSpan={4}>No identity check recorded.</TableCell>
            </TableRow>
          ) : (
            u.verifications.map((v) => (
              <TableRow key={`${v.checkedAt.toISOString()}-${v.method}-${v.verifiedById}`}>
                <TableCell>{v.checkedAt.toISOString().slice(0, 10)}</TableCell>
                <TableCell>{v.method}</TableCell>
                <TableCell>{v.outcome}</TableCell>
                <TableCell>{v.verifiedById}</TableCell>
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>

      <div className="grid gap-6 md:grid-cols-2">
        {can.grant ? <GrantForm userId={userId} act={act} /> : null}
        {can.verify ? <IdentityCheckForm userId={userId} act={act} /> : null}
      </div>
    </div>
  );
}

type Act = (name: string, what: (idempotencyKey: string) => Promise<unknown>, done: string) => Promise<void>;

function GrantForm({ userId, act }: { userId: string; act: Act }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.grants.create.mutationOptions());
  const [role, setRole] = useState('ACCOUNT_HOLDER');
  // An external system reads one account or every account of one section: both fields, one filled.
  const system = role === 'EXTERNAL_SYSTEM';
  const needsSection = role === 'SECTION_ADMIN';
  const needsAccount = ['ACCOUNT_HOLDER', 'VIEWER'].includes(role);
  const mayLimit = needsSection || needsAccount || system;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      userId,
      role: role as 'REGISTRY_ADMIN' | 'SECTION_ADMIN' | 'ACCOUNT_HOLDER' | 'VIEWER' | 'EXTERNAL_SYSTEM',
      sectionId: needsSection || system ? String(form.get('sectionId') ?? '') : null,
      accountId: needsAccount || system ? String(form.get('accountId') ?? '') : null,
      // Comma- or space-separated; empty: the grant is not limited to any cooperative approach.
      cooperativeApproachIds: mayLimit
        ? String(form.get('cooperativeApproachIds') ?? '')
            .split(/[\s,]+/)
            .filter((id) => id.length > 0)
        : [],
    };
    void act('grant', (idempotencyKey) => create.mutateAsync({ ...input, idempotencyKey }), `Granted: ${ROLE_LABELS[role] ?? role}.`);
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-border bg-white p-6" aria-labelledby="grant-title">
      <h2 id="grant-title" className="text-lg font-semibold">
        Grant a role
      </h2>
      <Field label="Role">
        {(control) => (
          <Select {...control} name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            {['ACCOUNT_HOLDER', 'VIEWER', 'SECTION_ADMIN', 'REGISTRY_ADMIN', 'EXTERNAL_SYSTEM'].map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {needsSection ? <Field label="Section (ISO 3166-1 alpha-3)">{(control) => <Input {...control} name="sectionId" required maxLength={3} />}</Field> : null}
      {needsAccount ? <Field label="Account number">{(control) => <Input {...control} name="accountId" required />}</Field> : null}
      {system ? (
        <>
          <Field label="Account number" hint="The one account the system may read; or leave it empty and give a section.">
            {(control) => <Input {...control} name="accountId" />}
          </Field>
          <Field label="Section (ISO 3166-1 alpha-3)" hint="Instead of an account: every account of the section.">
            {(control) => <Input {...control} name="sectionId" maxLength={3} />}
          </Field>
        </>
      ) : null}
      {mayLimit ? (
        <Field label="Only for cooperative approaches (optional)" hint="Approach ids separated by commas, e.g. CA0001. Empty: every approach of the section or account.">
          {(control) => <Input {...control} name="cooperativeApproachIds" maxLength={400} />}
        </Field>
      ) : null}
      <Button type="submit" disabled={create.isPending}>
        Grant
      </Button>
    </form>
  );
}

function IdentityCheckForm({ userId, act }: { userId: string; act: Act }) {
  const trpc = useTRPC();
  const record = useMutation(trpc.users.recordIdentityCheck.mutationOptions());

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      userId,
      method: String(form.get('method')) as 'GOVERNMENT_ID' | 'RESIDENCE' | 'UN_SYSTEM' | 'OTHER',
      outcome: String(form.get('outcome')) as 'VERIFIED' | 'REJECTED',
      checkedAt: new Date(`${String(form.get('checkedAt'))}T00:00:00Z`),
      note: String(form.get('note') ?? ''),
    };
    void act('identity-check', (idempotencyKey) => record.mutateAsync({ ...input, idempotencyKey }), 'Identity check recorded.');
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-border bg-white p-6" aria-labelledby="check-title">
      <h2 id="check-title" className="text-lg font-semibold">
        Record an identity check
      </h2>
      <Field label="What was checked">
        {(control) => (
          <Select {...control} name="method" defaultValue="GOVERNMENT_ID">
            <option value="GOVERNMENT_ID">Government ID</option>
            <option value="RESIDENCE">Residence</option>
            <option value="UN_SYSTEM">Record in another UN system</option>
            <option value="OTHER">Other check of comparable assurance</option>
          </Select>
        )}
      </Field>
      <Field label="Outcome">
        {(control) => (
          <Select {...control} name="outcome" defaultValue="VERIFIED">
            <option value="VERIFIED">Verified</option>
            <option value="REJECTED">Rejected</option>
          </Select>
        )}
      </Field>
      <Field label="Date of the check">{(control) => <Input {...control} name="checkedAt" type="date" required defaultValue={new Date().toISOString().slice(0, 10)} />}</Field>
      <Field label="Note (kept out of the log)">{(control) => <Input {...control} name="note" maxLength={2000} />}</Field>
      <Button type="submit" disabled={record.isPending}>
        Record check
      </Button>
    </form>
  );
}
