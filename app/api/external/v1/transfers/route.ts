import { externalProposeTransfer } from '@/server/access/external-api';
import { respond, signedRequestOf } from '@/server/access/external-http';
import { ledgerContext } from '@/server/ledger-context';

/** The signed API for external systems (A6R-8): proposing a transfer. See docs/external-api.md. */
export async function POST(request: Request): Promise<Response> {
  return respond(async () => externalProposeTransfer(ledgerContext(), await signedRequestOf(request), new Date()));
}
