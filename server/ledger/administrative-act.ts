import type pg from 'pg';
import { actorGrant } from './approach-scope';
import type { Prisma } from '../db/generated/client';
import { canonicalJson, sha256Hex, type CanonicalValue } from './canonical-json';
import { encodeEntry, GENESIS_HASH, LOG_CHAINS } from './log';
import type { Actor, LogSigner } from './types';

/**
 * Privileged acts outside the unit ledger (users, identity checks, grants, impersonation, profiles)
 * enter the same log as the ledger's transactions (A6R-48, A6R-49): a RECORDED transaction with no
 * unit operations, its complete input (who, acting for whom, with which grants, and what) chained
 * and signed like any other entry. Verification and replay therefore accept them unchanged.
 *
 * They are written inside the caller's database transaction, together with the change they record
 * (STYLE.md, rule 5): the caller makes its changes first, then calls this as its last statement, so
 * the log chain's lock is held only for the commit.
 *
 * Personal data never goes into `details`: the log cannot be edited, so a name or an address in it
 * could never be erased (A6R-49). Callers chain a keyed digest of such data instead.
 */
export interface AdministrativeAct {
  /** What happened, e.g. GRANT_CREATE; becomes the transaction's and the entry's kind. */
  readonly kind: string;
  readonly idempotencyKey: string;
  readonly transactionId: string;
  readonly createdAt: Date;
  readonly actor: Actor;
  /** The act's own input: ids, roles, scopes, digests. Canonical JSON values only. */
  readonly details: { readonly [key: string]: CanonicalValue };
}

/**
 * The version of the access rules applied, recorded with every act as rule versions are for
 * transactions. 2: grants may be limited to cooperative approaches (server/ledger/approach-scope.ts).
 */
export const ADMINISTRATIVE_RULE_VERSIONS = { 'access-policy': 2 } as const;

const KIND = /^[A-Z][A-Z0-9_]{2,63}$/;

/** The canonical input of an act, in the write path's shape: `{ actor, proposal }`. */
export function administrativeInput(act: AdministrativeAct): string {
  if (!KIND.test(act.kind)) throw new Error(`administrative act kind ${JSON.stringify(act.kind)} is not UPPER_SNAKE_CASE`);
  if ('kind' in act.details || 'idempotencyKey' in act.details) throw new Error('an act\'s details must not redefine kind or idempotencyKey');
  const actor = { userId: act.actor.userId, impersonatorId: act.actor.impersonatorId, grants: act.actor.grants.map((g) => ({ ...actorGrant(g) })) };
  return canonicalJson({ actor, proposal: { ...act.details, kind: act.kind, idempotencyKey: act.idempotencyKey } });
}

/**
 * Appends the act to the log and records its transaction row, inside `tx`. Throws the database's
 * unique violation on `LedgerTransaction_initiatorId_idempotencyKey_key` when the actor used the key before; the caller
 * decides what a repeat means for its act.
 */
export async function recordAdministrativeAct(tx: Prisma.TransactionClient, signer: LogSigner, act: AdministrativeAct): Promise<void> {
  const claimed = await tx.$queryRaw<{ chain: number; head: string | null }[]>`SELECT chain, head FROM registry_claim_chain(${LOG_CHAINS}::integer)`;
  await tx.$executeRaw`SELECT registry_record(${actRecord(signer, act, claimed[0])}::jsonb)`;
}

/**
 * The same on a connection of the ledger's own pool, inside the caller's transaction (for acts whose
 * change is written with plain SQL, e.g. a compliance run).
 */
export async function recordAdministrativeActOn(client: pg.PoolClient, signer: LogSigner, act: AdministrativeAct): Promise<void> {
  const claimed = await client.query<{ chain: number; head: string | null }>('SELECT chain, head FROM registry_claim_chain($1::integer)', [LOG_CHAINS]);
  await client.query('SELECT registry_record($1::jsonb)', [actRecord(signer, act, claimed.rows[0])]);
}

/** The act's transaction row and signed log entry, as registry_record takes them, on the claimed chain. */
function actRecord(signer: LogSigner, act: AdministrativeAct, row: { chain: number; head: string | null } | undefined): string {
  const input = administrativeInput(act);
  const inputHash = sha256Hex(input);
  if (!row || !Number.isInteger(row.chain)) throw new Error('registry_claim_chain returned no chain');
  const entry = encodeEntry(signer, { chain: row.chain, head: row.head ?? GENESIS_HASH }, {
    createdAt: act.createdAt,
    kind: act.kind,
    transactionId: act.transactionId,
    payload: { status: 'RECORDED', idempotencyKey: act.idempotencyKey, input: JSON.parse(input) as CanonicalValue, inputHash, ruleVersions: ADMINISTRATIVE_RULE_VERSIONS, operations: [] },
  });
  return JSON.stringify({
    id: act.transactionId,
    status: 'RECORDED',
    idempotencyKey: act.idempotencyKey,
    kind: act.kind,
    initiatorId: act.actor.userId,
    impersonatorId: act.actor.impersonatorId,
    input,
    inputHash,
    ruleVersions: canonicalJson(ADMINISTRATIVE_RULE_VERSIONS),
    refusals: '[]',
    createdAt: act.createdAt.toISOString(),
    references: [],
    series: [],
    openAccounts: [],
    statusChanges: [],
    close: [],
    create: [],
    log: { chain: entry.chain, payload: entry.payload, prevHash: entry.prevHash, hash: entry.hash, signature: entry.signature },
  });
}
