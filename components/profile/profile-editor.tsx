'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert } from '../ui/alert';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';

const KINDS = ['EMAIL', 'PHONE', 'POSTAL', 'OTHER'] as const;
type Kind = (typeof KINDS)[number];
const KIND_LABELS: Record<Kind, string> = { EMAIL: 'Email', PHONE: 'Telephone', POSTAL: 'Postal address', OTHER: 'Other' };

/** Contact methods one per line, as "kind: value", e.g. "PHONE: +41 44 555 01 23". */
function parseContacts(text: string): { kind: Kind; value: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^([A-Za-z]+)\s*:\s*(.+)$/.exec(line);
      const kind = (match?.[1] ?? '').toUpperCase();
      return { kind: (KINDS as readonly string[]).includes(kind) ? (kind as Kind) : 'OTHER', value: (match ? match[2] : line) ?? line };
    });
}

export function ProfileEditor() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const profile = useQuery(trpc.profile.get.queryOptions());
  const change = useMutation(trpc.profile.requestChange.mutationOptions());
  const keys = useIdempotencyKey();
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  if (profile.isPending) return <p role="status">Loading your profile…</p>;
  if (profile.isError) return <Alert tone="error" role="alert">{errorMessages(profile.error).join(' ')}</Alert>;
  const current = profile.data.profile;
  if (!current) return <p>Your profile has been anonymised.</p>;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      name: String(form.get('name') ?? ''),
      affiliations: String(form.get('affiliations') ?? '')
        .split('\n')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
      contacts: parseContacts(String(form.get('contacts') ?? '')),
    };
    setMessage(null);
    try {
      const result = await keys.send((idempotencyKey) => change.mutateAsync({ ...input, idempotencyKey }));
      setMessage({ tone: 'success', text: result.applied ? 'Your profile was updated.' : 'Your request was sent to your administrator for approval.' });
      await queryClient.invalidateQueries({ queryKey: trpc.profile.get.queryKey() });
    } catch (error) {
      setMessage({ tone: 'error', text: errorMessages(error).join(' ') });
    }
  }

  return (
    <div className="space-y-6">
      {message ? (
        <Alert tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Alert>
      ) : null}
      <form onSubmit={submit} className="space-y-4 rounded-lg border border-border bg-white p-6" aria-labelledby="profile-form-title">
        <h2 id="profile-form-title" className="text-lg font-semibold">
          Request a change
        </h2>
        <Field label="Real name">{(control) => <Input {...control} name="name" defaultValue={current.name} required />}</Field>
        <Field label="Affiliations" hint="One per line, e.g. the organisation you represent.">
          {(control) => <textarea {...control} name="affiliations" rows={3} defaultValue={current.affiliations.join('\n')} className="mt-1 block w-full rounded-md border border-border-strong px-3 py-2 text-sm" />}
        </Field>
        <Field label="Contact methods" hint={`At least two, one per line, as kind: value. Kinds: ${KINDS.map((k) => `${k} (${KIND_LABELS[k]})`).join(', ')}.`}>
          {(control) => <textarea {...control} name="contacts" rows={4} defaultValue={current.contacts.map((c) => `${c.kind}: ${c.value}`).join('\n')} className="mt-1 block w-full rounded-md border border-border-strong px-3 py-2 text-sm" />}
        </Field>
        <Button type="submit" disabled={change.isPending}>
          Submit
        </Button>
      </form>
      <p className="text-sm text-muted">
        {profile.data.versions} version{profile.data.versions === 1 ? '' : 's'} kept. Recent requests:{' '}
        {profile.data.requests.length === 0 ? 'none' : profile.data.requests.map((r) => `${r.createdAt.toISOString().slice(0, 10)} ${r.status.toLowerCase()}`).join(', ')}.
      </p>
    </div>
  );
}
