import type { Metadata } from 'next';
import { ComplianceAdmin } from '@/components/admin/compliance-admin';
import { mayUse } from '@/server/auth/actor';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Compliance' };

export default async function CompliancePage() {
  const user = await requirePolicy('compliance.read');
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Compliance</h1>
        <p className="mt-1 text-muted">Compliance rules judge the end state of the registry: after every transaction, on the accounts it touched, and whenever a registry administrator asks, on all of it. Every run is kept with its report; a finding stays open until a later run no longer sees it.</p>
      </div>
      <ComplianceAdmin mayRun={mayUse(user, 'compliance.run')} />
    </div>
  );
}
