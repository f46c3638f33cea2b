import { formatSignedUnits, formatUtc, shortId } from '../format';
import type { AccountDetail } from '../router-types';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { numericCell, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { transactionKindLabel } from './labels';

/** The account's recent transactions, each with the change of its balance. */
export function HistoryCard({ history }: { history: AccountDetail['history'] }) {
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
