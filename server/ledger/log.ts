import { Prisma } from '../db/generated/client';
import { canonicalJson, sha256Hex, type CanonicalValue } from './canonical-json';
import type { LogSigner } from './types';

export const GENESIS_HASH = '0'.repeat(64);

/** Advisory-lock key that orders appends to the chain. */
const LOG_CHAIN_LOCK = 6_274_001;

export interface LogAppend {
  readonly createdAt: Date;
  readonly kind: string;
  readonly transactionId: string | null;
  readonly payload: { readonly [key: string]: CanonicalValue | undefined };
}

/** The hash of an entry: SHA-256 over the previous hash, a newline and the canonical payload. */
export function entryHash(prevHash: string, payloadText: string): string {
  return sha256Hex(`${prevHash}\n${payloadText}`);
}

/**
 * Appends one entry inside the caller's database transaction, so that the change and its entry commit
 * together or not at all. The chain lock is taken here, at the end of the caller's work, and held only
 * until its commit; this keeps sequence order equal to chain order. (The ledger-core work replaces it
 * with a design that does not serialize commits.)
 */
export async function appendLog(tx: Prisma.TransactionClient, signer: LogSigner, entry: LogAppend): Promise<{ seq: bigint; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOG_CHAIN_LOCK})`;
  const last = await tx.$queryRaw<{ hash: string }[]>`SELECT hash FROM "LogEntry" ORDER BY seq DESC LIMIT 1`;
  const prevHash = last[0]?.hash ?? GENESIS_HASH;
  const payload = canonicalJson({ ...entry.payload, kind: entry.kind, transactionId: entry.transactionId, createdAt: entry.createdAt, signer: signer.keyId });
  const hash = entryHash(prevHash, payload);
  const row = await tx.logEntry.create({
    data: { createdAt: entry.createdAt, kind: entry.kind, transactionId: entry.transactionId, payload, prevHash, hash, signature: signer.sign(hash) },
    select: { seq: true },
  });
  return { seq: row.seq, hash };
}
