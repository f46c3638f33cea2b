import type { Metadata } from 'next';
import { AccountView } from '@/components/accounts/account-view';
import { notFound } from 'next/navigation';
import { actorOf } from '@/server/auth/actor';
import { requirePolicy } from '@/server/auth/require-user';
import { db } from '@/server/db/client';
import { readScope } from '@/server/ledger/authority';
import { findVisibleAccount } from '@/server/ledger/queries';

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
  const user = await requirePolicy('account.read');
  const { id } = await params;
  // An account that does not exist and one the reader may not see answer alike: 404, saying nothing more.
  const account = await findVisibleAccount(db(), readScope(actorOf(user)), accountIdOf(id).trim().toUpperCase());
  if (!account) notFound();
  return <AccountView id={account.id} />;
}
