'use client';

import Link from 'next/link';
import { formatUnits } from '../format';
import type { AccountDetail } from '../router-types';
import { buttonVariants } from '../ui/button';
import { heading } from './account-heading';
import { AccountStatusBadge } from './account-status-badge';
import { AccountStatusForm } from './account-status-form';
import { BlocksCard } from './blocks-card';
import { Fact } from './fact';
import { HistoryCard } from './history-card';
import { accountTypeLabel, registryLabel } from './labels';

/** The account as loaded: its facts, the status form where allowed, its blocks and its history. */
export function AccountDetails({ detail: { account, balance, blocks, history, statusChoices, mayTransfer } }: { detail: AccountDetail }) {
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <h1 className={heading}>
          {account.name} <span className="font-normal text-muted">({account.id})</span>
        </h1>
        {mayTransfer ? (
          <Link href={`/transfer?from=${encodeURIComponent(account.id)}`} className={buttonVariants()}>
            Transfer units
          </Link>
        ) : null}
      </div>
      <dl className="grid gap-x-8 gap-y-3 rounded-lg border border-border bg-white p-4 sm:grid-cols-2 sm:p-6 lg:grid-cols-3">
        <Fact term="Account number">{account.id}</Fact>
        <Fact term="Type">{accountTypeLabel(account.type)}</Fact>
        <Fact term="Status">
          <AccountStatusBadge status={account.status} />
        </Fact>
        <Fact term="Holder">{account.holderName}</Fact>
        <Fact term="Registry">{registryLabel(account.registry)}</Fact>
        <Fact term="Balance">
          <span data-testid="account-balance" className="tabular-nums">
            {formatUnits(balance)}
          </span>{' '}
          units
        </Fact>
      </dl>
      <BlocksCard accountId={account.id} blocks={blocks} mayTransfer={mayTransfer} />
      <HistoryCard history={history} />
      {statusChoices.length > 0 ? <AccountStatusForm account={account} choices={statusChoices} /> : null}
    </div>
  );
}
