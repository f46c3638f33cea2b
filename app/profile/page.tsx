import type { Metadata } from 'next';
import { ProfileEditor } from '@/components/profile/profile-editor';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Your profile' };

export default async function ProfilePage() {
  await requirePolicy('self.read');
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Your profile</h1>
        <p className="mt-1 text-muted">New contact methods apply at once. A change of your name or affiliations waits for your section or registry administrator. Every version is kept.</p>
      </div>
      <ProfileEditor />
    </div>
  );
}
