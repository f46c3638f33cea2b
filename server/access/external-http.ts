import type { ApiAnswer } from './external-api';
import type { SignedRequest } from './api-clients';

/**
 * The HTTP side of the signed API (web-standard Request and Response, no framework): the request as
 * signed, and the answer as JSON that no cache keeps. An unexpected error is logged here and answered
 * 500 without detail; every refusal the registry foresees is a 4xx answer with its code.
 */
export async function signedRequestOf(request: Request): Promise<SignedRequest> {
  const url = new URL(request.url);
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  return { method: request.method, pathWithQuery: `${url.pathname}${url.search}`, headers: request.headers, body };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });

export async function respond(work: () => Promise<ApiAnswer>): Promise<Response> {
  try {
    const answer = await work();
    return json(answer.status, answer.body);
  } catch (error) {
    console.error('External API request failed unexpectedly:', error);
    return json(500, { code: 'INTERNAL', error: 'The registry could not answer. Please try again.' });
  }
}
