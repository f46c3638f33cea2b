'use client';

import { browserSupportsWebAuthn, startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { TRPCClientError } from '@trpc/client';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { AppRouter } from '@/server/api/root';
import { Alert, AlertTitle } from '../ui/alert';
import { Button } from '../ui/button';
import { describePasskeyError, postJson, RegistryRefusal } from './passkey-client';

/** True when the server refused only for want of a recent passkey confirmation (A6R-7). */
export function needsStepUp(error: unknown): boolean {
  return error instanceof TRPCClientError && (error as TRPCClientError<AppRouter>).data?.stepUpRequired === true;
}

/** Runs the step-up ceremony: the session's own passkey, verified by the registry, which records the time. */
export async function confirmWithPasskey(): Promise<void> {
  if (!browserSupportsWebAuthn()) throw new RegistryRefusal('This browser does not support passkeys. Use a current version of Chrome, Edge, Firefox or Safari.', 0);
  const { options } = await postJson<{ options: PublicKeyCredentialRequestOptionsJSON }>('/api/auth/passkey/step-up/options');
  const response = await startAuthentication({ optionsJSON: options });
  await postJson('/api/auth/passkey/step-up/verify', { response });
}

type Pending = { readonly retry: () => Promise<void>; readonly failure: string | null; readonly working: boolean };

/**
 * Sensitive acts (grants, impersonation, …) need a passkey confirmation of the last few minutes.
 * `run(act)` performs the act; if the registry asks for the confirmation, `prompt` shows it, and once
 * confirmed the same act is performed again. Any other error is the caller's, as a rejected promise.
 */
export function useStepUp(): { run: (act: () => Promise<void>) => Promise<void>; prompt: ReactNode } {
  const [pending, setPending] = useState<Pending | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (pending && !pending.working) headingRef.current?.focus();
  }, [pending]);

  const run = useCallback(async (act: () => Promise<void>) => {
    try {
      await act();
    } catch (error) {
      if (!needsStepUp(error)) throw error;
      setPending({ retry: act, failure: null, working: false });
    }
  }, []);

  async function confirm() {
    if (!pending) return;
    setPending({ ...pending, working: true, failure: null });
    try {
      await confirmWithPasskey();
    } catch (error) {
      setPending({ ...pending, working: false, failure: describePasskeyError(error) });
      return;
    }
    setPending(null);
    await pending.retry().catch(() => undefined);
  }

  const prompt = pending ? (
    <Alert tone="info" role="dialog" aria-modal="false" aria-labelledby="step-up-title" className="space-y-2">
      <AlertTitle id="step-up-title" ref={headingRef} tabIndex={-1} className="outline-none">
        Confirm it is you
      </AlertTitle>
      <p>This act needs a fresh confirmation with your passkey. It stays valid for five minutes.</p>
      {pending.failure ? (
        <p role="alert" className="font-medium text-red-900">
          Not confirmed: {pending.failure}
        </p>
      ) : null}
      <div className="flex gap-3">
        <Button onClick={confirm} disabled={pending.working} aria-busy={pending.working || undefined}>
          Confirm with passkey
        </Button>
        <Button variant="secondary" onClick={() => setPending(null)} disabled={pending.working}>
          Cancel
        </Button>
      </div>
    </Alert>
  ) : null;

  return { run, prompt };
}
