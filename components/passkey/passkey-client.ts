'use client';

import { WebAuthnError } from '@simplewebauthn/browser';

/** A refusal from the registry's passkey endpoints, with the message it chose for the user. */
export class RegistryRefusal extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function postJson<T>(url: string, body: unknown = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new RegistryRefusal('The registry could not be reached. Check your connection and try again.', 0);
  }
  const data = (await res.json().catch(() => null)) as ({ error?: unknown } & T) | null;
  if (!res.ok || data === null) {
    const message = typeof data?.error === 'string' ? data.error : 'The registry did not accept the request. Please try again.';
    throw new RegistryRefusal(message, res.status);
  }
  return data;
}

/** A sentence for whatever went wrong: the registry's own message, or what the browser reported. */
export function describePasskeyError(error: unknown): string {
  if (error instanceof RegistryRefusal) return error.message;
  const name = error instanceof Error ? error.name : '';
  const code = error instanceof WebAuthnError ? error.code : '';
  if (code === 'ERROR_CEREMONY_ABORTED' || name === 'NotAllowedError' || name === 'AbortError') {
    return 'The passkey request was cancelled or timed out.';
  }
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This device already holds a passkey for your account.';
  if (code === 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT') {
    return 'This authenticator cannot verify you (with a PIN, fingerprint or face). Use another one.';
  }
  return 'Your device could not complete the passkey request.';
}
