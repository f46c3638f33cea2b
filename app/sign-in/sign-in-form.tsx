'use client';

import { signIn } from 'next-auth/react';
import { useRef, useState, type FormEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { SHOWN_AS_IS, SIGN_IN_MESSAGES } from '@/server/auth/sign-in-messages';

// The server's own words: the same whether the email is unknown or the password wrong.
const INCORRECT = SIGN_IN_MESSAGES.INCORRECT;
const UNAVAILABLE = SIGN_IN_MESSAGES.UNAVAILABLE;

/** The password step. On success the browser goes on to the passkey step (enrolment or check). */
export function SignInForm() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    let message: string;
    try {
      const result = await signIn('credentials', { redirect: false, email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
      if (result?.ok && !result.error) {
        // /passkey/verify sends an account without a passkey on to /passkey/register. A full page load,
        // not router.push: the root layout is kept across client navigations and would not see the
        // new session.
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        window.location.assign('/passkey/verify');
        return;
      }
      // "CredentialsSignin" is next-auth's code for a refused password; any other error is ours.
      // Throttling and suspension come back as the server's message, shown as it is.
      message = result?.error === 'CredentialsSignin' ? INCORRECT : result?.error && SHOWN_AS_IS.has(result.error) ? result.error : UNAVAILABLE;
    } catch {
      message = UNAVAILABLE;
    }
    setPending(false);
    setError(message);
    // Move focus to the message so keyboard and screen-reader users land on it.
    requestAnimationFrame(() => errorRef.current?.focus());
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4">
      {error ? (
        <Alert tone="error" role="alert" id="sign-in-error" ref={errorRef} tabIndex={-1} className="outline-none focus-visible:outline-2">
          {error}
        </Alert>
      ) : null}
      <div>
        <Label htmlFor="email">Email</Label>
        <Input id="email" name="email" type="email" autoComplete="username" required autoFocus className="mt-1" aria-invalid={error ? true : undefined} />
      </div>
      <div>
        <Label htmlFor="password">Password</Label>
        <Input id="password" name="password" type="password" autoComplete="current-password" required className="mt-1" aria-invalid={error ? true : undefined} />
      </div>
      <Button type="submit" className="w-full" disabled={pending} aria-busy={pending || undefined}>
        Sign in
      </Button>
      <p className="sr-only" role="status" aria-live="polite">
        {pending ? 'Checking your email and password…' : ''}
      </p>
    </form>
  );
}
