import type { Metadata } from 'next';
import { UserAdmin } from '@/components/admin/user-admin';
import { mayUse } from '@/server/auth/actor';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'User' };

interface UserPageProps {
  readonly params: Promise<{ id: string }>;
}

export default async function UserPage({ params }: UserPageProps) {
  const user = await requirePolicy('user.read');
  const { id } = await params;
  const can = {
    enroll: mayUse(user, 'user.enroll'),
    decide: mayUse(user, 'profile.decide'),
    anonymise: mayUse(user, 'user.anonymise'),
    verify: mayUse(user, 'user.verify-identity'),
    suspendAccess: mayUse(user, 'user.suspend-access'),
    grant: mayUse(user, 'grant.create'),
    impersonate: mayUse(user, 'impersonation.start'),
  };
  return <UserAdmin userId={decodeURIComponent(id)} can={can} />;
}
