import type { Metadata } from 'next';
import { CredentialLogView } from '@/components/admin/credential-log-view';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Credential log' };

export default async function CredentialLogPage() {
  await requirePolicy('user.credential-log');
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Credential log</h1>
        <p className="mt-1 text-muted">Every act on users, identity checks, credentials, grants, impersonation and external systems, newest first. Each is an entry of the signed log.</p>
      </div>
      <CredentialLogView />
    </div>
  );
}
