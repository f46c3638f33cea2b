import { db } from '@/server/db/client';
import { passkeyEndpointDeps } from '@/server/auth/current-user';
import { finishPasskeyRegistration, handlePasskeyRequest } from '@/server/auth/webauthn';

/** Stores the new passkey and completes this sign-in. Body: `{ response, label? }`. */
export function POST(request: Request): Promise<Response> {
  return handlePasskeyRequest(request, passkeyEndpointDeps, (session, body, rp) =>
    finishPasskeyRegistration(db(), session, rp, body.response, new Date(), typeof body.label === 'string' ? body.label : undefined),
  );
}
