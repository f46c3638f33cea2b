import type { Metadata } from 'next';
import { TransferForm } from '@/components/transfer/transfer-form';
import { requirePolicy } from '@/server/auth/require-user';

export const metadata: Metadata = { title: 'Transfer units' };

interface TransferPageProps {
  readonly searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** The query string prefills the form: ?from=<account>&series=<series>&first=<serial>&last=<serial> (links from an account's blocks). */
export default async function TransferPage({ searchParams }: TransferPageProps) {
  await requirePolicy('transfer.submit');
  const query = await searchParams;
  const one = (key: string) => {
    const value = query[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Transfer units</h1>
        <p className="mt-1 text-muted">Move units from one of your accounts to another account in the registry. You can review the transfer before it is recorded.</p>
      </div>
      <TransferForm initial={{ from: one('from'), series: one('series'), first: one('first'), last: one('last') }} />
    </div>
  );
}
