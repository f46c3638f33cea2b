import superjson from 'superjson';
import type { EnrollmentMail } from '../access/enrollment';
import { handleTrpc } from '../api/http-handler';
import type { CurrentUser } from '../auth/session-store';
import { createCaller } from '../api/root';
import type { Context } from '../api/trpc';
import type { Actor, LedgerContext } from '../ledger/types';
import type { TestDatabase } from './test-database';

/** What a test may give the request besides the person: the mail the registry sends with (none by default). */
export interface RequestOptions {
  readonly mail?: EnrollmentMail;
}

/** The API as a signed-in person with these grants calls it (both factors, a fresh passkey confirmation at `now`). */
export function apiCallerFor(database: TestDatabase, ledger: LedgerContext, actor: Actor, now: Date) {
  return createCaller(contextFor(database, ledger, actor, now));
}

const NO_MAIL: EnrollmentMail = { mailer: { send: () => Promise.reject(new Error('no mail in this test')) }, baseUrl: 'http://localhost' };

/**
 * The context of a request by `actor`: his own session (`s-<userId>`), or, for an actor with an
 * impersonator, the administrator's session acting for him (`s-<impersonatorId>`).
 */
function contextFor(database: TestDatabase, ledger: LedgerContext, actor: Actor, now: Date, options: RequestOptions = {}): Context {
  const grants = actor.grants.map((g) => ({ ...g, cooperativeApproachIds: [] }));
  const person = actor.impersonatorId ?? actor.userId;
  const actingAs = actor.impersonatorId === null ? null : { userId: actor.userId, name: actor.userId, endsAt: new Date(now.getTime() + 60_000) };
  const user = { sessionId: `s-${person}`, userId: person, email: `${person}@example.test`, name: person, secondFactorVerified: true, hasPasskey: true, grants, stepUpAt: now, actingAs } as unknown as CurrentUser;
  return { db: database.db, user, headers: new Headers(), ledger: () => ledger, mail: () => options.mail ?? NO_MAIL, now: () => now };
}

/**
 * One request through the tRPC HTTP handler as the registry serves it (formatter, headers), for this
 * person: `input` is sent as superjson, the answer comes back parsed, with its status and headers.
 */
export async function apiRequest(database: TestDatabase, ledger: LedgerContext, actor: Actor, now: Date, path: string, input: unknown, kind: 'query' | 'mutation', options: RequestOptions = {}) {
  const context = contextFor(database, ledger, actor, now, options);
  const encoded = JSON.stringify(superjson.serialize(input));
  const url = new URL(`http://localhost/api/trpc/${path}`);
  if (kind === 'query') url.searchParams.set('input', encoded);
  const req = new Request(url, kind === 'query' ? { method: 'GET' } : { method: 'POST', body: encoded, headers: { 'content-type': 'application/json' } });
  const response = await handleTrpc(req, () => context);
  const body = (await response.json()) as { result?: { data: { json: unknown; meta?: unknown } }; error?: { json: { message: string; code: number; data: { code: string } } } };
  return { status: response.status, headers: response.headers, result: body.result ? superjson.deserialize(body.result.data as never) : undefined, error: body.error?.json };
}
