'use client';

import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import type { Act } from './user-act';
import type { AdministeredUser, Permissions } from './user-permissions';

/** The acts on the user as a whole: access, enrollment link, anonymisation, impersonation. */
export function UserActions({ userId, user: u, can, act }: { userId: string; user: AdministeredUser; can: Permissions; act: Act }) {
  const trpc = useTRPC();
  const setAccess = useMutation(trpc.users.setAccessSuspended.mutationOptions());
  const impersonate = useMutation(trpc.impersonation.start.mutationOptions());
  const enroll = useMutation(trpc.users.sendEnrollmentLink.mutationOptions());
  const anonymise = useMutation(trpc.users.anonymise.mutationOptions());
  return (
    <div className="flex flex-wrap gap-3">
      {can.suspendAccess ? (
        <Button
          variant={u.status === 'ACTIVE' ? 'danger' : 'secondary'}
          onClick={() => act('access', (idempotencyKey) => setAccess.mutateAsync({ idempotencyKey, userId, suspended: u.status === 'ACTIVE' }), u.status === 'ACTIVE' ? 'Access suspended; every session of this user has ended.' : 'Access restored.')}
        >
          {u.status === 'ACTIVE' ? 'Suspend access and end sessions' : 'Restore access'}
        </Button>
      ) : null}
      {can.enroll && u.status === 'ACTIVE' ? (
        <Button variant="secondary" onClick={() => act('enroll', (idempotencyKey) => enroll.mutateAsync({ idempotencyKey, userId }), `An enrollment link was sent to ${u.email}. It works once and expires in 48 hours.`)}>
          Send enrollment link
        </Button>
      ) : null}
      {can.anonymise && u.status === 'SUSPENDED' && u.name !== 'Anonymised user' ? (
        <Button variant="danger" onClick={() => act('anonymise', (idempotencyKey) => anonymise.mutateAsync({ idempotencyKey, userId }), 'Personal data anonymised. The log keeps only digests that no longer link to anyone.')}>
          Anonymise personal data
        </Button>
      ) : null}
      {can.impersonate && u.status === 'ACTIVE' ? (
        <Button
          variant="secondary"
          onClick={() =>
            act('impersonate', async (idempotencyKey) => {
              await impersonate.mutateAsync({ idempotencyKey, userId });
              // eslint-disable-next-line @next/next/no-location-assign-relative-destination
              window.location.assign('/');
            }, 'Impersonation started.')
          }
        >
          Act as this user
        </Button>
      ) : null}
    </div>
  );
}
