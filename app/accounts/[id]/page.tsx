import type { Metadata } from 'next';
import { AccountView } from '@/components/accounts/account-view';
import { requirePolicy } from '@/server/auth/require-user';

interface AccountPageProps {
  readonly params: Promise<{ id: string }>;
}

/** The account number from the path; an undecodable segment is taken as it stands rather than failing the page. */
function accountIdOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export async function generateMetadata({ params }: AccountPageProps): Promise<Metadata> {
  const { id } = await params;
  return { title: `Account ${accountIdOf(id)}` };
}

export default async function AccountPage({ params }: AccountPageProps) {
  await requirePolicy('account.read');
  const { id } = await params;
  // Whether the account exists and is the caller's is the API's decision (account.get); the view shows its answer.
  return <AccountView id={accountIdOf(id)} />;
}
