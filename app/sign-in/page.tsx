import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/server/auth/current-user';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage() {
  // Fully signed in already: nothing to do here. A session halfway through (password done, passkey
  // missing) may sign in again, e.g. as another person on a shared computer.
  const user = await getCurrentUser();
  if (user?.secondFactorVerified) redirect('/');

  return (
    <div className="mx-auto max-w-md">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <p className="mt-2 text-muted">
        Sign in with your email and password. You will then confirm it is you with your passkey.
      </p>
      <div className="mt-6 rounded-lg border border-border bg-white p-6 shadow-sm">
        <SignInForm />
      </div>
      <p className="mt-4 text-sm text-muted">
        No access yet? <Link href="/apply">Apply for access</Link>.
      </p>
    </div>
  );
}
