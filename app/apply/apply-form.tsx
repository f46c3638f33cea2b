'use client';

import { useRef, useState, type FormEvent } from 'react';
import { postJson, RegistryRefusal } from '@/components/passkey/passkey-client';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

export function ApplyForm() {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const answer = await postJson<{ message: string }>('/api/apply', { name: String(form.get('name') ?? ''), email: String(form.get('email') ?? '') });
      setDone(answer.message);
    } catch (e) {
      setError(e instanceof RegistryRefusal ? e.message : 'Something went wrong. Please try again.');
      requestAnimationFrame(() => alertRef.current?.focus());
    }
    setPending(false);
  }

  if (done) return <Alert tone="success" role="status">{done}</Alert>;
  return (
    <form onSubmit={submit} className="space-y-4">
      {error ? (
        <Alert tone="error" role="alert" ref={alertRef} tabIndex={-1} className="outline-none focus-visible:outline-2">
          {error}
        </Alert>
      ) : null}
      <Field label="Real name">{(control) => <Input {...control} name="name" autoComplete="name" required />}</Field>
      <Field label="Email address">{(control) => <Input {...control} name="email" type="email" autoComplete="email" required />}</Field>
      <Button type="submit" className="w-full" disabled={pending} aria-busy={pending || undefined}>
        Apply
      </Button>
    </form>
  );
}
