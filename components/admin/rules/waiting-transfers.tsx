'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useIdempotencyKey } from '../../idempotency/use-idempotency-key';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import { OutcomeMessage } from '../outcome-message';
import { RequestFailure } from '../request-failure';
import { when, type Overview } from './overview';

/** Transfers that wait for a second person (four-eyes), each to approve or reject. */
export function WaitingTransfers({ data }: { data: Overview }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const answer = useMutation(trpc.rules.answer.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.rules.overview.queryFilter()) }));
  const keys = useIdempotencyKey();
  // One answer per waiting transfer: its approval and its rejection share a key, so that a retried
  // approval can never be followed by a rejection recorded as well.
  const decide = (reservationTransactionId: string, decision: 'APPROVE' | 'REJECT') => void keys.send((idempotencyKey) => answer.mutateAsync({ idempotencyKey, reservationTransactionId, decision }), `answer:${reservationTransactionId}`).catch(() => undefined);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Transfers waiting for approval</CardTitle>
      </CardHeader>
      {data.reservations.length === 0 ? (
        <CardContent>
          <p>No transfer waits.</p>
        </CardContent>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Transaction</TableHead>
              <TableHead>From → to</TableHead>
              <TableHead>Units</TableHead>
              <TableHead>Proposed by</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead>Answer</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.reservations.map((r) => (
              <TableRow key={r.id}>
                <TableHead scope="row" className="font-mono text-xs">
                  {r.transactionId}
                </TableHead>
                <TableCell>
                  {String(r.body.fromAccountId)} → {String(r.body.toAccountId)}
                </TableCell>
                <TableCell>{String(r.body.quantity)}</TableCell>
                <TableCell>{String(r.body.initiatorId)}</TableCell>
                <TableCell>{when(r.validUntil)}</TableCell>
                <TableCell className="space-x-2 whitespace-nowrap">
                  <Button size="sm" disabled={answer.isPending} onClick={() => decide(r.transactionId, 'APPROVE')}>
                    Approve
                  </Button>
                  <Button size="sm" variant="secondary" disabled={answer.isPending} onClick={() => decide(r.transactionId, 'REJECT')}>
                    Reject
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <CardContent>
        {answer.isError ? <RequestFailure error={answer.error} /> : null}
        {answer.data ? <OutcomeMessage outcome={answer.data} recorded="The answer is recorded." /> : null}
      </CardContent>
    </Card>
  );
}
