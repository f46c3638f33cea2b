'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { useStepUp } from '../passkey/use-step-up';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert } from '../ui/alert';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input, Select } from '../ui/input';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';

export function ApiClientsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const clients = useQuery(trpc.apiClients.list.queryOptions());
  const register = useMutation(trpc.apiClients.register.mutationOptions());
  const revoke = useMutation(trpc.apiClients.revoke.mutationOptions());
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  async function act(name: string, what: (idempotencyKey: string) => Promise<unknown>, done: string) {
    setMessage(null);
    await run(async () => {
      await keys.send(what, name);
      await queryClient.invalidateQueries({ queryKey: trpc.apiClients.list.queryKey() });
      setMessage({ tone: 'success', text: done });
    }).catch((error: unknown) => setMessage({ tone: 'error', text: errorMessages(error).join(' ') }));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      name: String(form.get('name') ?? ''),
      publicKeyPem: String(form.get('publicKeyPem') ?? ''),
      riskLevel: String(form.get('riskLevel')) as 'LOW' | 'MEDIUM' | 'HIGH',
      riskAssessment: String(form.get('riskAssessment') ?? ''),
    };
    void act('register', (idempotencyKey) => register.mutateAsync({ ...input, idempotencyKey }), `${input.name} is registered. Grant it accounts on its user page.`);
  }

  if (clients.isPending) return <p role="status">Loading external systems…</p>;
  if (clients.isError) return <Alert tone="error" role="alert">{errorMessages(clients.error).join(' ')}</Alert>;
  return (
    <div className="space-y-8">
      {prompt}
      {message ? (
        <Alert tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Alert>
      ) : null}
      <Table>
        <TableCaption>Registered external systems</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead>Client id</TableHead>
            <TableHead>Risk</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {clients.data.length === 0 ? (
            <TableRow>
              <TableCell colSpan={5}>None yet.</TableCell>
            </TableRow>
          ) : (
            clients.data.map((c) => (
              <TableRow key={c.id}>
                <TableCell>
                  <Link href={`/admin/users/${encodeURIComponent(c.userId)}`}>{c.name}</Link>
                </TableCell>
                <TableCell className="font-mono">{c.id}</TableCell>
                <TableCell>{c.riskLevel}</TableCell>
                <TableCell>{c.revokedAt ? `Revoked ${c.revokedAt.toISOString().slice(0, 10)}` : 'Active'}</TableCell>
                <TableCell>
                  {c.revokedAt ? null : (
                    <Button size="sm" variant="danger" aria-label={`Revoke ${c.name}`} onClick={() => act(`revoke:${c.id}`, (idempotencyKey) => revoke.mutateAsync({ idempotencyKey, clientId: c.id }), `${c.name} is revoked.`)}>
                      Revoke
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
      <form onSubmit={submit} className="max-w-2xl space-y-4 rounded-lg border border-border bg-white p-6" aria-labelledby="register-title">
        <h2 id="register-title" className="text-lg font-semibold">
          Register an external system
        </h2>
        <Field label="Name">{(control) => <Input {...control} name="name" required />}</Field>
        <Field label="Ed25519 public key (PEM)">{(control) => <textarea {...control} name="publicKeyPem" rows={4} required className="mt-1 block w-full rounded-md border border-border-strong px-3 py-2 font-mono text-sm" />}</Field>
        <Field label="Assessed risk">
          {(control) => (
            <Select {...control} name="riskLevel" defaultValue="MEDIUM">
              <option value="LOW">Low</option>
              <option value="MEDIUM">Medium</option>
              <option value="HIGH">High</option>
            </Select>
          )}
        </Field>
        <Field label="Risk assessment" hint="What the connection may reach, how the system keeps its key, what an abuse would cost.">
          {(control) => <textarea {...control} name="riskAssessment" rows={4} required className="mt-1 block w-full rounded-md border border-border-strong px-3 py-2 text-sm" />}
        </Field>
        <Button type="submit" disabled={register.isPending}>
          Register
        </Button>
      </form>
    </div>
  );
}
