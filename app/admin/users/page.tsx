import type { Metadata } from 'next';
import { UsersAdmin } from '@/components/admin/users-admin';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  await requirePolicy('user.list');
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Users</h1>
        <p className="mt-1 text-muted">People are created without grants. Record an identity check before granting them a role.</p>
      </div>
      <UsersAdmin />
    </div>
  );
}
