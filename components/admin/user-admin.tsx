'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import { useStepUp } from '../passkey/use-step-up';
import { useTRPC } from '../trpc-provider';
import { errorMessages, isNotFound } from '../trpc-error';
import { Alert } from '../ui/alert';
import { GrantForm } from './users/grant-form';
import { IdentityCheckForm } from './users/identity-check-form';
import { IdentityChecks } from './users/identity-checks';
import { PendingProfileChanges } from './users/pending-profile-changes';
import type { Act } from './users/user-act';
import { UserActions } from './users/user-actions';
import { UserGrants } from './users/user-grants';
import type { Permissions } from './users/user-permissions';

type Message = { readonly tone: 'success' | 'error'; readonly text: string } | null;

/**
 * One user as an administrator sees them: identity checks, grants with their suspension and
 * revocation, access as a whole, impersonation. Every act is sensitive: the registry asks for a
 * passkey confirmation first when the last one is older than a few minutes (A6R-7).
 */
export function UserAdmin({ userId, can }: { userId: string; can: Permissions }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const user = useQuery(trpc.users.get.queryOptions({ userId }));
  const { run, prompt } = useStepUp();
  const keys = useIdempotencyKey();
  const [message, setMessage] = useState<Message>(null);

  const act: Act = async (name, what, done) => {
    setMessage(null);
    await run(async () => {
      await keys.send(what, name);
      await queryClient.invalidateQueries({ queryKey: trpc.users.get.queryKey({ userId }) });
      await queryClient.invalidateQueries({ queryKey: trpc.profile.pending.queryKey({ userId }) });
      setMessage({ tone: 'success', text: done });
    }).catch((error: unknown) => setMessage({ tone: 'error', text: errorMessages(error).join(' ') }));
  };

  const pending = useQuery(trpc.profile.pending.queryOptions({ userId }));

  if (user.isPending) return <p role="status">Loading the user…</p>;
  if (user.isError) {
    return (
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">User</h1>
        <Alert tone="error" role="alert">
          {isNotFound(user.error) ? 'There is no such user, or you do not administer them.' : errorMessages(user.error).join(' ')}
        </Alert>
      </div>
    );
  }
  const u = user.data;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">{u.name}</h1>
        <p className="mt-1 text-muted">
          {u.email} · access {u.status === 'ACTIVE' ? 'active' : 'suspended'} · identity {u.verified ? 'verified' : 'not verified'}
        </p>
      </div>
      {prompt}
      {message ? (
        <Alert tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Alert>
      ) : null}

      <UserActions userId={userId} user={u} can={can} act={act} />

      <UserGrants grants={u.grants} act={act} />

      {pending.data && pending.data.length > 0 ? <PendingProfileChanges pending={pending.data} mayDecide={can.decide} act={act} /> : null}

      <IdentityChecks verifications={u.verifications} />

      <div className="grid gap-6 md:grid-cols-2">
        {can.grant ? <GrantForm userId={userId} act={act} /> : null}
        {can.verify ? <IdentityCheckForm userId={userId} act={act} /> : null}
      </div>
    </div>
  );
}
