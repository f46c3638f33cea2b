'use client';

import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import Link from 'next/link';
import { useRef, useState } from 'react';
import { describePasskeyError as describe, postJson as post, RegistryRefusal } from '@/components/passkey/passkey-client';
import { SignOutButton } from '@/components/sign-out-button';
import { Alert, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

type State = { kind: 'idle' } | { kind: 'pending' } | { kind: 'failed'; reason: string; sessionEnded: boolean };

const TEXT = {
  register: {
    action: 'Create passkey',
    working: 'Waiting for your device to create the passkey…',
    failed: 'Passkey not created: the registration did not succeed.',
  },
  verify: {
    action: 'Use passkey',
    working: 'Waiting for your device to confirm your passkey…',
    failed: 'Sign-in refused: the passkey check did not succeed.',
  },
} as const;

/**
 * The button that runs one WebAuthn ceremony against the registry: ask for options, let the browser
 * talk to the authenticator, send the answer back. Only a verified answer moves on to the dashboard;
 * a failure or a cancellation leaves the session without its second factor.
 */
export function PasskeyCeremony({ mode }: { mode: 'register' | 'verify' }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const alertRef = useRef<HTMLDivElement>(null);
  const text = TEXT[mode];

  async function run() {
    setState({ kind: 'pending' });
    try {
      if (!browserSupportsWebAuthn()) {
        throw new RegistryRefusal('This browser does not support passkeys. Use a current version of Chrome, Edge, Firefox or Safari.', 0);
      }
      if (mode === 'register') {
        const { options } = await post<{ options: PublicKeyCredentialCreationOptionsJSON }>('/api/auth/passkey/register/options');
        const response = await startRegistration({ optionsJSON: options });
        await post('/api/auth/passkey/register/verify', { response });
      } else {
        const { options } = await post<{ options: PublicKeyCredentialRequestOptionsJSON }>('/api/auth/passkey/authenticate/options');
        const response = await startAuthentication({ optionsJSON: options });
        await post('/api/auth/passkey/authenticate/verify', { response });
      }
      // A full page load, not router.push: the root layout (header, menu) is kept across client
      // navigations and would go on showing the half-signed-in state.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign('/');
    } catch (error) {
      setState({ kind: 'failed', reason: describe(error), sessionEnded: error instanceof RegistryRefusal && error.status === 401 });
      requestAnimationFrame(() => alertRef.current?.focus());
    }
  }

  const pending = state.kind === 'pending';
  return (
    <div className="space-y-4">
      {state.kind === 'failed' ? (
        <Alert tone="error" role="alert" ref={alertRef} tabIndex={-1} className="outline-none focus-visible:outline-2">
          <AlertTitle>{text.failed}</AlertTitle>
          <p>{state.reason}</p>
          <p className="mt-1">
            {state.sessionEnded ? (
              <Link href="/sign-in" className="font-medium text-red-900 underline">
                Sign in again
              </Link>
            ) : (
              <>You can try again, or cancel the sign-in.</>
            )}
          </p>
        </Alert>
      ) : null}
      <div className="flex flex-wrap items-center gap-3">
        {state.kind === 'failed' && state.sessionEnded ? null : (
          <Button onClick={run} disabled={pending} aria-busy={pending || undefined}>
            {text.action}
          </Button>
        )}
        <SignOutButton label="Cancel sign-in" size="md" />
      </div>
      <p className="text-sm text-muted" role="status" aria-live="polite">
        {pending ? text.working : ''}
      </p>
    </div>
  );
}
