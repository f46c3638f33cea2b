'use client';

import { useQuery } from '@tanstack/react-query';
import { HoldingsByVintageChart } from '../charts/holdings-by-vintage-chart';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { AccountsCard } from './accounts-card';

/** The dashboard's live part: the caller's accounts and their holdings by vintage. */
export function DashboardView() {
  const trpc = useTRPC();
  const list = useQuery(trpc.account.list.queryOptions());

  if (list.isPending) return <p role="status">Loading your accounts…</p>;
  if (list.isError) {
    return (
      <Alert tone="error" role="alert">
        <AlertTitle>Your accounts could not be loaded</AlertTitle>
        {errorMessages(list.error).map((message) => (
          <p key={message}>{message}</p>
        ))}
      </Alert>
    );
  }
  return (
    <div className="grid grid-cols-1 gap-8">
      <AccountsCard accounts={list.data.accounts} />
      <HoldingsByVintageChart data={list.data.byVintage} />
    </div>
  );
}
