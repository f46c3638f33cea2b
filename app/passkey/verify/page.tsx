import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/server/auth/current-user';
import { pendingSignInStep } from '@/server/auth/require-user';
import { PasskeyCeremony } from '../passkey-ceremony';

export const metadata: Metadata = { title: 'Confirm with your passkey' };

/** The second factor of a sign-in. An account without a passkey is sent to enrolment instead. */
export default async function VerifyPasskeyPage() {
  const user = await getCurrentUser();
  const step = pendingSignInStep(user);
  if (step !== '/passkey/verify' || !user) redirect(step ?? '/');

  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">Confirm it is you</h1>
      <p>
        Your password was accepted for {user.email}. To finish signing in, use the passkey you created for the registry. Without it the
        sign-in is refused.
      </p>
      <div className="rounded-lg border border-border bg-white p-6 shadow-sm">
        <PasskeyCeremony mode="verify" />
      </div>
    </div>
  );
}
