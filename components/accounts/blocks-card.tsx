import Link from 'next/link';
import { formatUnits } from '../format';
import type { AccountDetail } from '../router-types';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { numericCell, Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';

function transferFromBlockHref(accountId: string, block: AccountDetail['blocks'][number]): string {
  const query = new URLSearchParams({ from: accountId, series: block.seriesId, first: block.firstSerial.toString(), last: block.lastSerial.toString() });
  return `/transfer?${query.toString()}`;
}

/** The account's current unit blocks, with human-readable serials and, when allowed, a transfer of each. */
export function BlocksCard({ accountId, blocks, mayTransfer }: { accountId: string; blocks: AccountDetail['blocks']; mayTransfer: boolean }) {
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
