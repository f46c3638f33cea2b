import { db } from '@/server/db/client';
import { passkeyEndpointDeps } from '@/server/auth/current-user';
import { handlePasskeyRequest, startPasskeyRegistration } from '@/server/auth/webauthn';

/** Options for creating a passkey (the account's first, right after the password step). */
export function POST(request: Request): Promise<Response> {
  return handlePasskeyRequest(request, passkeyEndpointDeps, (session, _body, rp) => startPasskeyRegistration(db(), session, rp, new Date()));
}
