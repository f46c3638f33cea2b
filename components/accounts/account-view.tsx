'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatSignedUnits, formatUnits, formatUtc, shortId } from '../format';
import type { AccountDetail } from '../router-types';
import { useTRPC } from '../trpc-provider';
import { errorMessages, isNotFound } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { buttonVariants } from '../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { numericCell, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { AccountStatusBadge } from './account-status-badge';
import { AccountStatusForm } from './account-status-form';
import { accountTypeLabel, registryLabel, transactionKindLabel } from './labels';

const heading = 'text-2xl font-semibold';

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

function AccountDetails({ detail: { account, balance, blocks, history, statusChoices, mayTransfer } }: { detail: AccountDetail }) {
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

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-sm text-muted">{term}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}

function transferFromBlockHref(accountId: string, block: AccountDetail['blocks'][number]): string {
  const query = new URLSearchParams({ from: accountId, series: block.seriesId, first: block.firstSerial.toString(), last: block.lastSerial.toString() });
  return `/transfer?${query.toString()}`;
}

function BlocksCard({ accountId, blocks, mayTransfer }: { accountId: string; blocks: AccountDetail['blocks']; mayTransfer: boolean }) {
  return (
    <Card aria-labelledby="unit-blocks-heading">
      <CardHeader>
        <CardTitle id="unit-blocks-heading">Unit blocks</CardTitle>
      </CardHeader>
      {blocks.length === 0 ? (
        <CardContent>
          <p className="text-muted">This account holds no units.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption className="sr-only">Unit blocks</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Serial range</TableHead>
              <TableHead>Unit type</TableHead>
              <TableHead>Host Party</TableHead>
              <TableHead>Activity</TableHead>
              <TableHead>Vintage</TableHead>
              <TableHead className="text-right">Quantity</TableHead>
              {mayTransfer ? (
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              ) : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {blocks.map((block) => (
              <TableRow key={block.id.toString()}>
                {/* Serials are long dash-joined strings: let them break anywhere rather than widen the table. */}
                <TableHead scope="row" className="min-w-44 font-mono text-xs [overflow-wrap:anywhere]">
                  {block.serialRange}
                </TableHead>
                <TableCell>{block.unitType}</TableCell>
                <TableCell>{block.hostParty}</TableCell>
                <TableCell className="whitespace-nowrap">{block.activityId}</TableCell>
                <TableCell className="tabular-nums">{block.vintage}</TableCell>
                <TableCell className={numericCell}>{formatUnits(block.quantity)}</TableCell>
                {mayTransfer ? (
                  <TableCell>
                    <Link href={transferFromBlockHref(accountId, block)} className="whitespace-nowrap">
                      Transfer from this block<span className="sr-only"> {block.serialRange}</span>
                    </Link>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}

function HistoryCard({ history }: { history: AccountDetail['history'] }) {
  return (
    <Card aria-labelledby="history-heading">
      <CardHeader>
        <CardTitle id="history-heading">Transaction history</CardTitle>
      </CardHeader>
      {history.length === 0 ? (
        <CardContent>
          <p className="text-muted">No transactions have touched this account yet.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption className="sr-only">Transaction history</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Date (UTC)</TableHead>
              <TableHead>Transaction</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Counterpart account</TableHead>
              <TableHead className="text-right">Change</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {history.map((entry) => (
              <TableRow key={entry.transactionId}>
                <TableCell className="whitespace-nowrap tabular-nums">
                  <time dateTime={entry.createdAt.toISOString()}>{formatUtc(entry.createdAt)}</time>
                </TableCell>
                <TableHead scope="row" className="font-mono">
                  <span title={entry.transactionId}>{shortId(entry.transactionId)}</span>
                </TableHead>
                <TableCell>{transactionKindLabel(entry.kind)}</TableCell>
                <TableCell>{entry.counterpartAccountId ?? <span className="text-muted">None</span>}</TableCell>
                <TableCell className={numericCell}>{formatSignedUnits(entry.delta)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}
