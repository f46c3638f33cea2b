import type { Metadata } from 'next';
import { RulesAdmin } from '@/components/admin/rules-admin';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Business rules' };

export default async function RulesPage() {
  await requirePolicy('rules.read');
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Business rules</h1>
        <p className="mt-1 text-muted">Which rules judge transactions, where, with which settings; suspensions; transfers waiting for a second person; compliance. Every change is recorded in the log of the registry.</p>
      </div>
      <RulesAdmin />
    </div>
  );
}
