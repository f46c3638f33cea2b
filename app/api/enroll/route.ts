import { ACCESS_REFUSALS } from '@/server/access/acts';
import { enrollWithToken } from '@/server/access/enrollment';
import { ledgerContext } from '@/server/ledger-context';
import { unstorableTextAt } from '@/server/security/unstorable-text';

const STATUS = { BAD_REQUEST: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 } as const;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

/**
 * Sets a password through an enrollment link. Body: `{ token, password }`. Public: the link's token
 * is the authority, single use. Cross-site posts are refused by proxy.ts before they get here.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = (await request.json().catch(() => null)) as { token?: unknown; password?: unknown } | null;
    if (!body || typeof body.token !== 'string' || typeof body.password !== 'string' || body.password.length > 4096) {
      return json(400, { code: 'MALFORMED', error: 'Enter your new password.' });
    }
    const unstorable = unstorableTextAt(body.token);
    if (unstorable !== null || body.token.length > 512) return json(400, { code: 'MALFORMED', error: 'This enrollment link is not valid: open the link from your e-mail again, without changing it.' });
    const result = await enrollWithToken(ledgerContext(), body.token, body.password);
    if (!result.ok) return json(STATUS[ACCESS_REFUSALS[result.code].status], { code: result.code, error: result.message });
    return json(200, { ok: true });
  } catch (error) {
    console.error('Enrollment failed unexpectedly:', error);
    return json(500, { code: 'INTERNAL', error: 'Something went wrong on our side. Nothing was changed; please try again.' });
  }
}
