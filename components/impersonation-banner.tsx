'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useIdempotencyKey } from './idempotency/use-idempotency-key';
import { useTRPC } from './trpc-provider';
import { errorMessages } from './trpc-error';
import { Button } from './ui/button';

/**
 * Shown on every page while a registry administrator acts as another user (A6R-43): whom, until when,
 * and that every act carries both names. It stays until the impersonation ends.
 */
export function ImpersonationBanner({ adminName, userName, endsAt }: { adminName: string; userName: string; endsAt: string }) {
  const trpc = useTRPC();
  const [error, setError] = useState<string | null>(null);
  const keys = useIdempotencyKey();
  const stop = useMutation(
    trpc.impersonation.stop.mutationOptions({
      // A full page load: the layout, the menu and every cached query belonged to the impersonated user.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      onSuccess: () => window.location.assign('/admin/users'),
      onError: (e) => setError(errorMessages(e).join(' ')),
    }),
  );
  const until = new Date(endsAt).toISOString().slice(11, 16);
  return (
    <section aria-label="Impersonation" className="border-b-4 border-amber-500 bg-amber-100 text-amber-950">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
        <p className="text-sm">
          <strong>You are acting as {userName}</strong> ({adminName}, until {until} UTC). You have this user&apos;s rights only, and everything you do is recorded with both names.
        </p>
        <Button size="sm" variant="secondary" onClick={() => void keys.send((idempotencyKey) => stop.mutateAsync({ idempotencyKey })).catch(() => undefined)} disabled={stop.isPending} aria-busy={stop.isPending || undefined}>
          End impersonation
        </Button>
        {error ? (
          <p role="alert" className="text-sm font-medium text-red-900">
            {error}
          </p>
        ) : null}
      </div>
    </section>
  );
}
