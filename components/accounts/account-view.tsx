'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../trpc-provider';
import { errorMessages, isNotFound } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { heading } from './account-heading';
import { AccountDetails } from './account-details';

/** One account: its facts, its current unit blocks and its recent transactions. */
export function AccountView({ id }: { id: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.account.get.queryOptions({ id }));

  if (query.isPending) {
    return (
      <>
        <h1 className={heading}>Account {id}</h1>
        <p role="status" className="mt-4">Loading the account…</p>
      </>
    );
  }
  if (query.isError) {
    const notFound = isNotFound(query.error);
    return (
      <div className="max-w-prose space-y-4">
        <h1 className={heading}>{notFound ? 'Account not found' : `Account ${id}`}</h1>
        <Alert tone="error" role="alert">
          <AlertTitle>{notFound ? `There is no account ${id} that you may see` : 'The account could not be loaded'}</AlertTitle>
          {errorMessages(query.error).map((message) => (
            <p key={message}>{message}</p>
          ))}
        </Alert>
        <p>
          <Link href="/">Back to the dashboard</Link>
        </p>
      </div>
    );
  }
  return <AccountDetails detail={query.data} />;
}
