import type { Metadata } from 'next';
import { DashboardView } from '@/components/dashboard/dashboard-view';
import { requireUser } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const user = await requireUser();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        <p className="mt-1 text-muted">Welcome, {user.name}. Balances are in units; one unit is one tonne of CO2 equivalent unless its metric says otherwise.</p>
      </div>
      <DashboardView />
    </div>
  );
}
