import { externalAccountHoldings } from '@/server/access/external-api';
import { respond, signedRequestOf } from '@/server/access/external-http';
import { db } from '@/server/db/client';

/** The signed API for external systems (A6R-8): one account's holdings. See docs/external-api.md. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respond(async () => {
    const { id } = await params;
    return externalAccountHoldings(db(), await signedRequestOf(request), decodeURIComponent(id), new Date());
  });
}
