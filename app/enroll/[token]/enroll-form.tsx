'use client';

import Link from 'next/link';
import { useRef, useState, type FormEvent } from 'react';
import { postJson, RegistryRefusal } from '@/components/passkey/passkey-client';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

export function EnrollForm({ token }: { token: string }) {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') ?? '');
    if (password !== String(form.get('repeat') ?? '')) {
      setError('The two passwords differ. Type the same password twice.');
      requestAnimationFrame(() => alertRef.current?.focus());
      return;
    }
    setPending(true);
    setError(null);
    try {
      await postJson('/api/enroll', { token, password });
      setDone(true);
    } catch (e) {
      setError(e instanceof RegistryRefusal ? e.message : 'Something went wrong. Please try again.');
      requestAnimationFrame(() => alertRef.current?.focus());
    }
    setPending(false);
  }

  if (done) {
    return (
      <Alert tone="success" role="status">
        Your password is set. <Link href="/sign-in">Sign in</Link> with your email address and it; the registry will then ask you to create your passkey.
      </Alert>
    );
  }
  return (
    <form onSubmit={submit} className="space-y-4">
      {error ? (
        <Alert tone="error" role="alert" ref={alertRef} tabIndex={-1} className="outline-none focus-visible:outline-2">
          {error}
        </Alert>
      ) : null}
      <Field label="New password">{(control) => <Input {...control} name="password" type="password" autoComplete="new-password" required minLength={12} maxLength={256} />}</Field>
      <Field label="The same password again">{(control) => <Input {...control} name="repeat" type="password" autoComplete="new-password" required />}</Field>
      <Button type="submit" className="w-full" disabled={pending} aria-busy={pending || undefined}>
        Set password
      </Button>
    </form>
  );
}
