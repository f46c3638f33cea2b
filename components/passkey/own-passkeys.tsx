'use client';

import { startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert } from '../ui/alert';
import { Button } from '../ui/button';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { describePasskeyError, postJson } from './passkey-client';

/** One's own passkeys (A6R-6): several may be held, any but the last removed. */
export function OwnPasskeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.me.get.queryOptions());
  const remove = useMutation(trpc.me.removePasskey.mutationOptions());
  const keys = useIdempotencyKey();
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [adding, setAdding] = useState(false);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });

  async function add() {
    setAdding(true);
    setMessage(null);
    try {
      const { options } = await postJson<{ options: PublicKeyCredentialCreationOptionsJSON }>('/api/auth/passkey/register/options');
      const response = await startRegistration({ optionsJSON: options });
      await postJson('/api/auth/passkey/register/verify', { response });
      setMessage({ tone: 'success', text: 'Passkey added.' });
      await refresh();
    } catch (error) {
      setMessage({ tone: 'error', text: `Passkey not added: ${describePasskeyError(error)}` });
    }
    setAdding(false);
  }

  async function removeOne(credentialId: string, label: string) {
    setMessage(null);
    try {
      await keys.send((idempotencyKey) => remove.mutateAsync({ idempotencyKey, credentialId }), `remove:${credentialId}`);
      setMessage({ tone: 'success', text: `Passkey removed: ${label}.` });
      await refresh();
    } catch (error) {
      setMessage({ tone: 'error', text: errorMessages(error).join(' ') });
    }
  }

  if (me.isPending) return <p role="status">Loading your passkeys…</p>;
  if (me.isError) return <Alert tone="error" role="alert">{errorMessages(me.error).join(' ')}</Alert>;
  return (
    <div className="space-y-4">
      {message ? (
        <Alert tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Alert>
      ) : null}
      <Table>
        <TableCaption>Passkeys of {me.data.email}</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead>Added</TableHead>
            <TableHead>Last used</TableHead>
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {me.data.passkeys.map((p) => (
            <TableRow key={p.id}>
              <TableCell>{p.label}</TableCell>
              <TableCell>{p.createdAt.toISOString().slice(0, 10)}</TableCell>
              <TableCell>{p.lastUsedAt ? p.lastUsedAt.toISOString().slice(0, 16).replace('T', ' ') : 'never'}</TableCell>
              <TableCell>
                <Button size="sm" variant="danger" aria-label={`Remove passkey ${p.label}`} onClick={() => removeOne(p.id, p.label)} disabled={remove.isPending}>
                  Remove
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Button onClick={add} disabled={adding} aria-busy={adding || undefined}>
        Add a passkey
      </Button>
    </div>
  );
}
