import { db } from '@/server/db/client';
import { passkeyEndpointDeps } from '@/server/auth/current-user';
import { finishPasskeyAuthentication, handlePasskeyRequest } from '@/server/auth/webauthn';

/** Verifies a step-up confirmation and records it on the session. Body: `{ response }`. */
export function POST(request: Request): Promise<Response> {
  return handlePasskeyRequest(request, passkeyEndpointDeps, (session, body, rp) => finishPasskeyAuthentication(db(), session, rp, body.response, new Date(), 'step-up'));
}
