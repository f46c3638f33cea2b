import type { Metadata } from 'next';
import { ApiClientsAdmin } from '@/components/admin/api-clients-admin';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'External systems' };

export default async function ApiClientsPage() {
  await requirePolicy('api-client.list');
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">External systems</h1>
        <p className="mt-1 text-muted">
          Other registries and platforms reach the registry through signed requests with their Ed25519 key. Register each with a risk assessment of its connection, then, on its user page, grant it the accounts it may read (external system) or propose transfers from (account holder or representative).
        </p>
      </div>
      <ApiClientsAdmin />
    </div>
  );
}
