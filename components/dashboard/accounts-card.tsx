import Link from 'next/link';
import { useId } from 'react';
import { AccountStatusBadge } from '../accounts/account-status-badge';
import { accountTypeLabel } from '../accounts/labels';
import { formatUnits } from '../format';
import type { AccountSummary } from '../router-types';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { numericCell, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';

/** The caller's accounts with their balances, each linked to its page. */
export function AccountsCard({ accounts }: { accounts: readonly AccountSummary[] }) {
  const headingId = useId();
  return (
    <Card aria-labelledby={headingId}>
      <CardHeader>
        <CardTitle id={headingId}>Your accounts</CardTitle>
      </CardHeader>
      {accounts.length === 0 ? (
        <CardContent>
          <p className="text-muted">You have no accounts yet. Accounts appear here once an administrator gives you access to them.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption className="sr-only">Your accounts</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Account number</TableHead>
              <TableHead>Name</TableHead>
              <TableHead>Type</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Balance</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {accounts.map((account) => (
              <TableRow key={account.id}>
                <TableHead scope="row" className="whitespace-nowrap">
                  <Link href={`/accounts/${encodeURIComponent(account.id)}`} className="font-medium">
                    {account.id}
                  </Link>
                </TableHead>
                <TableCell>{account.name}</TableCell>
                <TableCell>{accountTypeLabel(account.type)}</TableCell>
                <TableCell>
                  <AccountStatusBadge status={account.status} />
                </TableCell>
                <TableCell className={numericCell}>{formatUnits(account.balance)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}
