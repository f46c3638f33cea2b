'use client';

import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import { ROLE_LABELS, scopeLabel } from '../labels';
import type { Act } from './user-act';
import type { AdministeredUser } from './user-permissions';

/** The user's grants, each to suspend, reinstate or revoke (A6R-51). */
export function UserGrants({ grants, act }: { grants: AdministeredUser['grants']; act: Act }) {
  const trpc = useTRPC();
  const setGrant = useMutation(trpc.grants.setSuspended.mutationOptions());
  const revoke = useMutation(trpc.grants.revoke.mutationOptions());
  return (
    <Table>
      <TableCaption>Grants</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Role</TableHead>
          <TableHead>Scope</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {grants.length === 0 ? (
          <TableRow>
            <TableCell colSpan={4}>No grants.</TableCell>
          </TableRow>
        ) : (
          grants.map((g) => {
            const label = `${ROLE_LABELS[g.role] ?? g.role}, ${scopeLabel(g)}`;
            return (
              <TableRow key={g.id}>
                <TableCell>{ROLE_LABELS[g.role] ?? g.role}</TableCell>
                <TableCell>{scopeLabel(g)}</TableCell>
                <TableCell>{g.status === 'ACTIVE' ? 'Active' : 'Suspended'}</TableCell>
                <TableCell className="space-x-2 whitespace-nowrap">
                  <Button
                    size="sm"
                    variant="secondary"
                    aria-label={`${g.status === 'ACTIVE' ? 'Suspend' : 'Reinstate'} grant: ${label}`}
                    onClick={() => act(`grant-status:${g.id}`, (idempotencyKey) => setGrant.mutateAsync({ idempotencyKey, grantId: g.id, suspended: g.status === 'ACTIVE' }), g.status === 'ACTIVE' ? `Grant suspended: ${label}.` : `Grant reinstated: ${label}.`)}
                  >
                    {g.status === 'ACTIVE' ? 'Suspend' : 'Reinstate'}
                  </Button>
                  <Button size="sm" variant="danger" aria-label={`Revoke grant: ${label}`} onClick={() => act(`revoke:${g.id}`, (idempotencyKey) => revoke.mutateAsync({ idempotencyKey, grantId: g.id }), `Grant revoked: ${label}.`)}>
                    Revoke
                  </Button>
                </TableCell>
              </TableRow>
            );
          })
        )}
      </TableBody>
    </Table>
  );
}
