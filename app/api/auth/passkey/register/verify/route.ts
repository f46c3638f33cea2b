import { randomUUID } from 'node:crypto';
import { passkeyRegistrationLogger } from '@/server/access/passkeys';
import { db } from '@/server/db/client';
import { passkeyEndpointDeps } from '@/server/auth/current-user';
import { finishPasskeyRegistration, handlePasskeyRequest } from '@/server/auth/webauthn';
import { ledgerContext } from '@/server/ledger-context';

/** Stores the new passkey, logs it, and completes this sign-in. Body: `{ response, label? }`. */
export function POST(request: Request): Promise<Response> {
  return handlePasskeyRequest(request, passkeyEndpointDeps, (session, body, rp) => {
    const now = new Date();
    const log = passkeyRegistrationLogger(ledgerContext().signer, session.userId, now, randomUUID);
    return finishPasskeyRegistration(db(), session, rp, body.response, now, typeof body.label === 'string' ? body.label : undefined, log);
  });
}
