import { externalAccountHoldings } from '@/server/access/external-api';
import { db } from '@/server/db/client';

/** The signed API for external systems (A6R-8): one account's holdings. See docs/security.md. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const { id } = await params;
    const url = new URL(request.url);
    const answer = await externalAccountHoldings(db(), { method: request.method, pathWithQuery: `${url.pathname}${url.search}`, headers: request.headers, body: '' }, decodeURIComponent(id), new Date());
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  } catch (error) {
    console.error('External API request failed unexpectedly:', error);
    return new Response(JSON.stringify({ code: 'INTERNAL', error: 'The registry could not answer. Please try again.' }), { status: 500, headers: { 'content-type': 'application/json' } });
  }
}
