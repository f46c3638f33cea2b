import { z } from 'zod';
import { applyForAccess } from '@/server/access/applications';
import { plainText } from '@/server/api/input-bounds';
import { plainMessage } from '@/server/api/plain-messages';
import { clientAddressFromHeaders } from '@/server/http/peer-address';
import { env } from '@/server/env';
import { unstorableTextAt, unstorableTextMessage } from '@/server/security/unstorable-text';
import { ledgerContext } from '@/server/ledger-context';

const schema = z.object({
  name: plainText('your real name', 2, 200),
  email: z.email('Enter a valid email address.').max(320, 'An email address has at most 320 characters.'),
});

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

/** A public application for access (A6R-13). Body: `{ name, email }`. */
export async function POST(request: Request): Promise<Response> {
  try {
    const body: unknown = await request.json().catch(() => null);
    const unstorable = unstorableTextAt(body);
    if (unstorable !== null) return json(400, { code: 'MALFORMED', error: unstorableTextMessage(unstorable) });
    const parsed = schema.safeParse(body);
    if (!parsed.success) return json(400, { code: 'MALFORMED', error: parsed.error.issues.map((i) => plainMessage(i)).join(' ') });
    const address = clientAddressFromHeaders(request.headers, env().TRUSTED_PROXY_HOPS);
    const result = await applyForAccess(ledgerContext(), parsed.data, address);
    if (!result.ok) return json(429, { code: result.code, error: result.message });
    return json(200, { ok: true, message: result.message });
  } catch (error) {
    console.error('Application failed unexpectedly:', error);
    return json(500, { code: 'INTERNAL', error: 'Something went wrong on our side. Nothing was changed; please try again.' });
  }
}
