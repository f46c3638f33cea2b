import { db } from '@/server/db/client';
import { passkeyEndpointDeps } from '@/server/auth/current-user';
import { handlePasskeyRequest, startPasskeyAuthentication } from '@/server/auth/webauthn';

/** Options for the passkey check of this sign-in. */
export function POST(request: Request): Promise<Response> {
  return handlePasskeyRequest(request, passkeyEndpointDeps, (session, _body, rp) => startPasskeyAuthentication(db(), session, rp, new Date()));
}
