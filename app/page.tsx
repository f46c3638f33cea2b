import type { Metadata } from 'next';
import { DashboardView } from '@/components/dashboard/dashboard-view';
import Link from 'next/link';
import { mayUse } from '@/server/auth/actor';
import { requireUser } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const user = await requireUser();
  // While a registry administrator acts for someone, the page is that person's (the banner says who acts).
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        <p className="mt-1 text-muted">Welcome, {user.actingAs?.name ?? user.name}. Balances are in units; one unit is one tonne of CO2 equivalent unless its metric says otherwise.</p>
      </div>
      {mayUse(user, 'account.list') ? (
        <DashboardView />
      ) : (
        // System administrators and users without grants yet: no business function here (A6R-50, A6R-13).
        <div className="max-w-prose space-y-2 rounded-lg border border-border bg-white p-6">
          <p>Your grants give you no accounts to see.</p>
          {mayUse(user, 'user.list') ? (
            <p>
              Manage users, their identity checks and grants under <Link href="/admin/users">Users</Link>.
            </p>
          ) : (
            <p>An administrator of your section grants access to accounts once your identity has been verified.</p>
          )}
        </div>
      )}
    </div>
  );
}
