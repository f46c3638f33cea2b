import { z } from 'zod';
import type { Db } from '../db/client';
import { actorGrant } from '../ledger/approach-scope';
import { accountBlocks, accountHistory } from '../ledger/queries';
import type { Actor, LedgerContext, Outcome, UnitSelection } from '../ledger/types';
import { execute } from '../ledger/write-path';
import { recordRead } from './access-log';
import { verifySignedRequest, type SignedRequest } from './api-clients';
import { externalMayPropose, externalMayRead, gate, readScope, type PolicyName } from './policy';
import { outcomeForReader } from './outcomes';
import { unstorableTextAt, unstorableTextMessage } from '../security/unstorable-text';

/**
 * The signed API for external systems (A6R-8): registries, platforms and underlying registries read the
 * accounts their grants cover and propose transfers from the accounts they represent. Every request is
 * judged in one order: the signature (401), the client's user still active (401), the policy (403),
 * the body (400), the account within the client's grants (404), and, for a proposal, the ledger's own
 * numbered checks (409 for a reused idempotency key, 422 otherwise). Every answer is JSON with a stable
 * `code` and a human `error`; every read of account data is written to the access log.
 */

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

const answer = (status: number, code: string, error: string, extra: Record<string, unknown> = {}): ApiAnswer => ({ status, body: { code, error, ...extra } });

/** The client behind a verified request, as the actor its grants make it; or the refusal. */
async function authenticate(db: Db, request: SignedRequest, policy: PolicyName, now: Date): Promise<{ ok: true; actor: Actor; clientId: string } | { ok: false; answer: ApiAnswer }> {
  const verified = await verifySignedRequest(db, request, now);
  if (!verified.ok) return { ok: false, answer: answer(401, verified.code, verified.message) };
  const user = await db.user.findUnique({
    where: { id: verified.userId },
    select: { status: true, grants: { where: { status: 'ACTIVE' }, select: { role: true, sectionId: true, accountId: true, cooperativeApproachIds: true } } },
  });
  if (!user || user.status !== 'ACTIVE') return { ok: false, answer: answer(401, 'CLIENT_UNKNOWN', 'The client is unknown or its registration has been revoked.') };
  const actor: Actor = { userId: verified.userId, impersonatorId: null, grants: user.grants.map(actorGrant) };
  const decision = gate(policy, actor, null, now);
  if (!decision.allowed) return { ok: false, answer: answer(403, decision.reason, decision.message) };
  return { ok: true, actor, clientId: verified.clientId };
}

/** The account, if the client's grants let it read it; the same answer whether it exists or not. */
async function readableAccount(db: Db, actor: Actor, accountId: string): Promise<boolean> {
  const account = await db.account.findUnique({ where: { id: accountId }, select: { id: true, sectionId: true, cooperativeApproachId: true } });
  return account !== null && externalMayRead(actor, account);
}

const notGranted = (accountId: string) => answer(404, 'ACCOUNT_NOT_GRANTED', `There is no account ${accountId} within this client's grants.`);

/**
 * GET /api/external/v1/accounts/{id}: the holdings of one account, block by block with serials, for an
 * external system whose active grant covers that account.
 */
export async function externalAccountHoldings(db: Db, request: SignedRequest, accountId: string, now: Date): Promise<ApiAnswer> {
  const auth = await authenticate(db, request, 'external.account.read', now);
  if (!auth.ok) return auth.answer;
  if (!(await readableAccount(db, auth.actor, accountId))) return notGranted(accountId);
  await recordRead(db, auth.actor, 'external.account.read', accountId, now);
  const blocks = await accountBlocks(db, readScope(auth.actor), accountId);
  const balance = blocks.reduce((sum, b) => sum + b.quantity, 0n);
  return {
    status: 200,
    body: {
      accountId,
      balance: balance.toString(),
      blocks: blocks.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial.toString(), lastSerial: b.lastSerial.toString(), quantity: b.quantity.toString(), unitType: b.unitType, hostParty: b.hostParty, vintage: b.vintage, serialRange: b.serialRange })),
    },
  };
}

export const HISTORY_LIMIT_MAX = 200;

/**
 * GET /api/external/v1/accounts/{id}/transactions?limit=N: the account's recorded transactions, newest
 * first (at most 200, 50 unless asked), each with the net change of its balance.
 */
export async function externalAccountTransactions(db: Db, request: SignedRequest, accountId: string, query: URLSearchParams, now: Date): Promise<ApiAnswer> {
  const auth = await authenticate(db, request, 'external.account.read', now);
  if (!auth.ok) return auth.answer;
  const limitText = query.get('limit') ?? '50';
  if (!/^[0-9]{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > HISTORY_LIMIT_MAX) {
    return answer(400, 'QUERY_INVALID', `limit: a whole number from 1 to ${HISTORY_LIMIT_MAX}.`);
  }
  if (!(await readableAccount(db, auth.actor, accountId))) return notGranted(accountId);
  await recordRead(db, auth.actor, 'external.account.transactions', accountId, now);
  const history = await accountHistory(db, readScope(auth.actor), accountId, Number(limitText));
  return {
    status: 200,
    body: {
      accountId,
      transactions: history.map((h) => ({ transactionId: h.transactionId, kind: h.kind, createdAt: h.createdAt.toISOString(), change: h.delta.toString(), counterpartAccountId: h.counterpartAccountId })),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Proposing a transfer

/** Units as JSON carries them: decimal strings, since a JSON number cannot hold every bigint. */
const units = (what: string) =>
  z
    .string(`${what} is a decimal string, e.g. "100".`)
    .regex(/^[1-9][0-9]{0,18}$/, `${what} is a positive whole number written as a decimal string, e.g. "100".`)
    .transform((v) => BigInt(v));
const id = (what: string) => z.string(`${what} is required.`).trim().min(1, `${what} is required.`).max(64, `${what} has at most 64 characters.`);

export const transferBody = z.strictObject(
  {
    idempotencyKey: z.string('idempotencyKey is required: one per transfer, reused only to retry it.').regex(/^[A-Za-z0-9_.:-]{8,100}$/, 'idempotencyKey has 8 to 100 characters of A–Z, a–z, 0–9 and _ . : -.'),
    fromAccountId: id('fromAccountId'),
    toAccountId: id('toAccountId'),
    selection: z.discriminatedUnion(
      'mode',
      [
        z.strictObject({ mode: z.literal('explicit'), seriesId: id('selection.seriesId'), firstSerial: units('selection.firstSerial'), lastSerial: units('selection.lastSerial') }),
        z.strictObject({
          mode: z.literal('implicit'),
          quantity: units('selection.quantity'),
          constraints: z
            .strictObject({
              seriesId: id('seriesId').optional(),
              unitType: id('unitType').optional(),
              cooperativeApproachId: id('cooperativeApproachId').optional(),
              hostParty: z.string().regex(/^[A-Z]{3}$/, 'hostParty is an ISO 3166-1 alpha-3 code.').optional(),
              activityId: id('activityId').optional(),
              vintage: z.number().int('vintage is a year.').min(1990, 'vintage is a year from 1990.').max(2100, 'vintage is a year until 2100.').optional(),
            })
            .default({}),
        }),
      ],
      'selection.mode is "explicit" (a serial range) or "implicit" (a quantity under constraints).',
    ),
  },
  // Only for a body that is no object at all: an unknown field keeps zod's message, which names it.
  { error: (issue) => (issue.code === 'invalid_type' ? 'The body is a JSON object with idempotencyKey, fromAccountId, toAccountId and selection.' : undefined) },
);

/** What the ledger hears as the idempotency key: the client's own, in the client's own namespace. */
export const ledgerIdempotencyKey = (clientId: string, key: string) => `api:${clientId}:${key}`;

function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 && !issue.message.startsWith(issue.path.join('.')) ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join(' ');
}

function outcomeAnswer(outcome: Outcome, clientKey: string): ApiAnswer {
  if (outcome.status === 'RECORDED') {
    return { status: outcome.replayed ? 200 : 201, body: { status: 'RECORDED', transactionId: outcome.transactionId, quantity: outcome.quantity.toString(), replayed: outcome.replayed, pending: outcome.pending ?? false, idempotencyKey: clientKey } };
  }
  const reused = outcome.refusals.some((r) => r.check === 'IDEMPOTENCY_KEY_REUSED');
  return {
    status: reused ? 409 : 422,
    body: {
      code: reused ? 'IDEMPOTENCY_KEY_REUSED' : 'TRANSFER_REFUSED',
      error: outcome.refusals.map((r) => `${r.code} ${r.message}`).join(' '),
      status: 'REJECTED',
      transactionId: outcome.transactionId,
      replayed: outcome.replayed,
      idempotencyKey: clientKey,
      refusals: outcome.refusals.map((r) => ({ code: r.code, check: r.check, message: r.message, judged: r.judged })),
    },
  };
}

export const MAX_BODY_CHARACTERS = 16 * 1024;

/**
 * POST /api/external/v1/transfers: proposes a transfer from an account the client represents (its
 * ACCOUNT_HOLDER grant there), through the ledger's one write path, as the client's own user. The
 * idempotency key makes a retry safe: the same key and body return the first outcome.
 */
export async function externalProposeTransfer(ctx: LedgerContext, request: SignedRequest, now: Date): Promise<ApiAnswer> {
  const auth = await authenticate(ctx.db, request, 'external.transfer.propose', now);
  if (!auth.ok) return auth.answer;
  if (request.body.length > MAX_BODY_CHARACTERS) return answer(400, 'BODY_INVALID', `The body has more than ${MAX_BODY_CHARACTERS} characters.`);
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch {
    return answer(400, 'BODY_INVALID', 'The body is not valid JSON.');
  }
  const unstorable = unstorableTextAt(json);
  if (unstorable !== null) return answer(400, 'BODY_INVALID', unstorableTextMessage(unstorable));
  const parsed = transferBody.safeParse(json);
  if (!parsed.success) return answer(400, 'BODY_INVALID', issuesText(parsed.error));
  const input = parsed.data;
  if (input.selection.mode === 'explicit' && input.selection.firstSerial > input.selection.lastSerial) {
    return answer(400, 'BODY_INVALID', 'selection.lastSerial must not be before selection.firstSerial.');
  }
  const from = await ctx.db.account.findUnique({ where: { id: input.fromAccountId }, select: { id: true, cooperativeApproachId: true } });
  if (!from || !externalMayPropose(auth.actor, from)) return notGranted(input.fromAccountId);
  const selection: UnitSelection = input.selection.mode === 'explicit' ? input.selection : { mode: 'implicit', quantity: input.selection.quantity, constraints: input.selection.constraints };
  const outcome = await execute(ctx, auth.actor, { kind: 'TRANSFER', idempotencyKey: ledgerIdempotencyKey(auth.clientId, input.idempotencyKey), fromAccountId: input.fromAccountId, toAccountId: input.toAccountId, selection });
  return outcomeAnswer(await outcomeForReader(ctx.db, auth.actor, outcome), input.idempotencyKey);
}
