import type { Metadata } from 'next';
import { ApplyForm } from './apply-form';

export const metadata: Metadata = { title: 'Apply for access' };

export default function ApplyPage() {
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-2xl font-semibold">Apply for access</h1>
      <p className="text-muted">
        Tell us who you are. An administrator verifies your identity, then the registry emails you a single-use link to set your password and passkey. Access to accounts is granted by the administrator of your Party&apos;s section.
      </p>
      <div className="rounded-lg border border-border bg-white p-6 shadow-sm">
        <ApplyForm />
      </div>
    </div>
  );
}
