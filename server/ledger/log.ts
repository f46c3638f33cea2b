import { canonicalJson, sha256Hex, type CanonicalValue } from './canonical-json';
import { beginPipeline, type Sql } from './sql';
import type { ClaimedChain, LogSigner } from './types';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The number of parallel chains the log is kept in. Each chain is ordered by the lock on its head row
 * ("LogChainHead", one row per chain: more chains need a migration), held until commit; with more
 * chains than concurrent writers a writer practically never waits, and commits are not serialized
 * behind one global lock.
 */
export const LOG_CHAINS = 16;

export interface LogAppend {
  readonly createdAt: Date;
  readonly kind: string;
  readonly transactionId: string | null;
  readonly payload: { readonly [key: string]: CanonicalValue | undefined };
}

export interface EncodedEntry {
  readonly chain: number;
  readonly createdAt: Date;
  readonly payload: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly signature: string;
}

/** The hash of an entry: SHA-256 over the previous hash of its chain, a newline and the canonical payload. */
export function entryHash(prevHash: string, payloadText: string): string {
  return sha256Hex(`${prevHash}\n${payloadText}`);
}

/** The full canonical payload of an entry: what it says, plus its kind, transaction, time and signer. */
export function entryPayload(signer: LogSigner, entry: LogAppend, chain: number): string {
  return canonicalJson({ ...entry.payload, kind: entry.kind, transactionId: entry.transactionId, createdAt: entry.createdAt, signer: signer.keyId, chain });
}

/**
 * Claims a chain for the calling transaction (held until it ends) and returns the chain and its head
 * (prisma/functions/registry_claim_chain.sql).
 */
export async function claimChain(sql: Sql): Promise<ClaimedChain> {
  const [result] = await beginPipeline(sql, [{ text: 'SELECT chain, head FROM registry_claim_chain($1::integer)', values: [String(LOG_CHAINS)], setsPlanner: true }]);
  const row = result?.rows[0] as { chain: number; head: string | null } | undefined;
  if (!row) throw new Error('registry_claim_chain returned nothing');
  return { chain: row.chain, head: row.head ?? GENESIS_HASH };
}

/** Encodes, chains and signs an entry: the signature covers the hash, so it covers the chain too. */
export function encodeEntry(signer: LogSigner, claimed: ClaimedChain, entry: LogAppend): EncodedEntry {
  const payload = entryPayload(signer, entry, claimed.chain);
  const hash = entryHash(claimed.head, payload);
  return { chain: claimed.chain, createdAt: entry.createdAt, payload, prevHash: claimed.head, hash, signature: signer.sign(hash) };
}
