'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { useStepUp } from '../passkey/use-step-up';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert } from '../ui/alert';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { ROLE_LABELS, scopeLabel } from './labels';

/** The users an administrator may see, and the form that creates one (with no grants, A6R-13). */
export function UsersAdmin() {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  if (users.isPending) return <p role="status">Loading users…</p>;
  if (users.isError) return <Alert tone="error" role="alert">{errorMessages(users.error).join(' ')}</Alert>;
  return (
    <div className="space-y-8">
      <Table>
        <TableCaption>Users you administer</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead>Email</TableHead>
            <TableHead>Access</TableHead>
            <TableHead>Identity</TableHead>
            <TableHead>Grants</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {users.data.map((u) => (
            <TableRow key={u.id}>
              <TableCell>
                <Link href={`/admin/users/${encodeURIComponent(u.id)}`}>{u.name}</Link>
              </TableCell>
              <TableCell>{u.email}</TableCell>
              <TableCell>{u.status === 'ACTIVE' ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Suspended</Badge>}</TableCell>
              <TableCell>{u.verified ? 'Verified' : 'Not verified'}</TableCell>
              <TableCell>
                {u.grants.length === 0
                  ? 'None'
                  : u.grants.map((g) => `${ROLE_LABELS[g.role] ?? g.role}, ${scopeLabel(g)}${g.status === 'SUSPENDED' ? ' (suspended)' : ''}`).join('; ')}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <CreateUserForm />
    </div>
  );
}

function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const create = useMutation(trpc.users.create.mutationOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = { email: String(form.get('email') ?? ''), name: String(form.get('name') ?? '') };
    setMessage(null);
    await run(async () => {
      await keys.send((idempotencyKey) => create.mutateAsync({ ...input, idempotencyKey }));
      await queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
      setMessage({ tone: 'success', text: `${input.name} was created, without grants.` });
    }).catch((error: unknown) => setMessage({ tone: 'error', text: errorMessages(error).join(' ') }));
  }

  return (
    <form onSubmit={submit} className="max-w-xl space-y-4 rounded-lg border border-border bg-white p-6" aria-labelledby="create-user-title">
      <h2 id="create-user-title" className="text-lg font-semibold">
        Create a user
      </h2>
      <Field label="Real name">{(control) => <Input {...control} name="name" required autoComplete="off" />}</Field>
      <Field label="Email address">{(control) => <Input {...control} name="email" type="email" required autoComplete="off" />}</Field>
      {prompt}
      {message ? (
        <Alert tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Alert>
      ) : null}
      <Button type="submit" disabled={create.isPending}>
        Create user
      </Button>
    </form>
  );
}
