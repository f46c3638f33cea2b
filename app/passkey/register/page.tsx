import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/server/auth/current-user';
import { pendingSignInStep } from '@/server/auth/require-user';
import { PasskeyCeremony } from '../passkey-ceremony';

export const metadata: Metadata = { title: 'Create your passkey' };

/** Enrolment: only for a session past the password step whose account has no passkey yet. */
export default async function RegisterPasskeyPage() {
  const user = await getCurrentUser();
  const step = pendingSignInStep(user);
  if (step !== '/passkey/register' || !user) redirect(step ?? '/');

  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">Create your passkey</h1>
      <p>
        The registry protects every account with two factors: your password and a passkey. Your account ({user.email}) does not have a
        passkey yet, so you need to create one before you can continue.
      </p>
      <p className="text-muted">
        A passkey is a key kept by your device — for example Windows Hello, Touch ID, your phone or a security key. The registry stores
        only its public half, so it cannot be phished or leaked from our side. You will use it every time you sign in.
      </p>
      <div className="rounded-lg border border-border bg-white p-6 shadow-sm">
        <PasskeyCeremony mode="register" />
      </div>
    </div>
  );
}
