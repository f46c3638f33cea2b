'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert } from '../ui/alert';
import { Badge } from '../ui/badge';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';
import { ROLE_LABELS, scopeLabel } from './labels';
import { CreateUserForm } from './users/create-user-form';

/** The users an administrator may see, and the form that creates one (with no grants, A6R-13). */
export function UsersAdmin() {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  if (users.isPending) return <p role="status">Loading users…</p>;
  if (users.isError) return <Alert tone="error" role="alert">{errorMessages(users.error).join(' ')}</Alert>;
  return (
    <div className="space-y-8">
      <Table>
        <TableCaption>Users you administer</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead>Email</TableHead>
            <TableHead>Access</TableHead>
            <TableHead>Identity</TableHead>
            <TableHead>Grants</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {users.data.map((u) => (
            <TableRow key={u.id}>
              <TableCell>
                <Link href={`/admin/users/${encodeURIComponent(u.id)}`}>{u.name}</Link>
              </TableCell>
              <TableCell>{u.email}</TableCell>
              <TableCell>{u.status === 'ACTIVE' ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Suspended</Badge>}</TableCell>
              <TableCell>{u.verified ? 'Verified' : 'Not verified'}</TableCell>
              <TableCell>
                {u.grants.length === 0
                  ? 'None'
                  : u.grants.map((g) => `${ROLE_LABELS[g.role] ?? g.role}, ${scopeLabel(g)}${g.status === 'SUSPENDED' ? ' (suspended)' : ''}`).join('; ')}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <CreateUserForm />
    </div>
  );
}
