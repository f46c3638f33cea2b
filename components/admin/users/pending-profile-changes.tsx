'use client';

import { useMutation } from '@tanstack/react-query';
import type { RouterOutputs } from '../../router-types';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import type { Act } from './user-act';

/**
 * The user's profile changes that wait for an administrator (A6R-11), each to approve or reject. One
 * decision per request: approving and rejecting it share a key.
 */
export function PendingProfileChanges({ pending, mayDecide, act }: { pending: RouterOutputs['profile']['pending']; mayDecide: boolean; act: Act }) {
  const trpc = useTRPC();
  const decide = useMutation(trpc.profile.decide.mutationOptions());
  return (
    <section aria-labelledby="pending-title" className="space-y-3 rounded-lg border border-border bg-white p-6">
      <h2 id="pending-title" className="text-lg font-semibold">
        Profile change waiting for approval
      </h2>
      {pending.map((p) => (
        <div key={p.requestId} className="space-y-2">
          <p>
            Name: {p.current?.name} → <strong>{p.proposed.name}</strong>. Affiliations: {p.proposed.affiliations.join(', ') || 'none'}. Contacts: {p.proposed.contacts.map((c) => `${c.kind} ${c.value}`).join(', ')}.
          </p>
          {mayDecide ? (
            <div className="flex gap-2">
              <Button size="sm" onClick={() => act(`decide:${p.requestId}`, (idempotencyKey) => decide.mutateAsync({ idempotencyKey, requestId: p.requestId, approve: true }), 'Profile change approved.')}>
                Approve change
              </Button>
              <Button size="sm" variant="secondary" onClick={() => act(`decide:${p.requestId}`, (idempotencyKey) => decide.mutateAsync({ idempotencyKey, requestId: p.requestId, approve: false }), 'Profile change rejected.')}>
                Reject change
              </Button>
            </div>
          ) : null}
        </div>
      ))}
    </section>
  );
}
