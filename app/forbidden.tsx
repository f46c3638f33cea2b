import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'No permission for this page' };

/** A page the person's grants do not open (403): a permission is missing, and who can grant it. */
export default function Forbidden() {
  return (
    <div className="max-w-prose space-y-4">
      <h1 className="text-2xl font-semibold">No permission for this page</h1>
      <p>Your grants do not include the permission this page needs. If your work needs it, ask an administrator of your section, or the registry administrators, to grant it.</p>
      <p>
        <Link href="/">Go to the dashboard</Link>
      </p>
    </div>
  );
}
