import type { Metadata } from 'next';
import { OwnPasskeys } from '@/components/passkey/own-passkeys';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Your passkeys' };

export default async function SecurityPage() {
  await requirePolicy('self.read');
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Your passkeys</h1>
        <p className="mt-1 text-muted">Every sign-in needs your password and one of these passkeys. Keep at least two, on different devices, so that losing one does not lock you out.</p>
      </div>
      <OwnPasskeys />
    </div>
  );
}
