import { db } from '@/server/db/client';
import { passkeyEndpointDeps } from '@/server/auth/current-user';
import { handlePasskeyRequest, startPasskeyAuthentication } from '@/server/auth/webauthn';

/** Options for a step-up confirmation before a sensitive act (A6R-7). */
export function POST(request: Request): Promise<Response> {
  return handlePasskeyRequest(request, passkeyEndpointDeps, (session, _body, rp) => startPasskeyAuthentication(db(), session, rp, new Date(), 'step-up'));
}
