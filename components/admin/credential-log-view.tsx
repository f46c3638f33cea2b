'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert } from '../ui/alert';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';

export function CredentialLogView() {
  const trpc = useTRPC();
  const log = useQuery(trpc.users.credentialLog.queryOptions());
  if (log.isPending) return <p role="status">Loading the log…</p>;
  if (log.isError) return <Alert tone="error" role="alert">{errorMessages(log.error).join(' ')}</Alert>;
  return (
    <Table>
      <TableCaption>Latest {log.data.length} acts</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>When (UTC)</TableHead>
          <TableHead>Act</TableHead>
          <TableHead>By</TableHead>
          <TableHead>For</TableHead>
          <TableHead>About user</TableHead>
          <TableHead>Role and scope</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {log.data.map((line) => (
          <TableRow key={line.transactionId}>
            <TableCell className="whitespace-nowrap">{line.createdAt.toISOString().slice(0, 19).replace('T', ' ')}</TableCell>
            <TableCell>{line.kind}</TableCell>
            <TableCell>{line.impersonatorId ?? line.initiatorId}</TableCell>
            <TableCell>{line.impersonatorId ? `acting as ${line.initiatorId}` : ''}</TableCell>
            <TableCell>{line.subjectUserId ?? ''}</TableCell>
            <TableCell>{[line.role, line.scope].filter(Boolean).join(', ')}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
