import type { Metadata } from 'next';
import { CorrectionsAdmin } from '@/components/admin/corrections-admin';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Corrective actions' };

export default async function CorrectionsPage() {
  await requirePolicy('rules.correct');
  return (
    <div className="max-w-4xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Corrective actions</h1>
        <p className="mt-1 text-muted">Records are never changed: mistakes are corrected by new transfers that name what they correct and the rules they set aside. Registry administrators only.</p>
      </div>
      <CorrectionsAdmin />
    </div>
  );
}
