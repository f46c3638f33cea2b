import type { Metadata } from 'next';
import { EnrollForm } from './enroll-form';

export const metadata: Metadata = { title: 'Set up your access', referrer: 'no-referrer' };

interface EnrollPageProps {
  readonly params: Promise<{ token: string }>;
}

/** The page an enrollment link opens (A6R-4): choose a password; the passkey follows at sign-in. */
export default async function EnrollPage({ params }: EnrollPageProps) {
  const { token } = await params;
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-2xl font-semibold">Set up your access</h1>
      <p className="text-muted">
        Choose a password of at least 12 characters. Several unrelated words make a good one; it may not be a common or breached password. After this you sign in and create a passkey on your device.
      </p>
      <div className="rounded-lg border border-border bg-white p-6 shadow-sm">
        <EnrollForm token={token} />
      </div>
    </div>
  );
}
