'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useIdempotencyKey } from '../../idempotency/use-idempotency-key';
import { useStepUp } from '../../passkey/use-step-up';
import { useTRPC } from '../../trpc-provider';
import { errorMessages } from '../../trpc-error';
import { Alert } from '../../ui/alert';
import { Button } from '../../ui/button';
import { Field } from '../../ui/field';
import { Input } from '../../ui/input';

/** Creates a user with no grants (A6R-13): a sensitive act, confirmed with a passkey (A6R-7). */
export function CreateUserForm() {
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
